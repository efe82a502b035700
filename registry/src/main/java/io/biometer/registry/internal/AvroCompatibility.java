package io.biometer.registry.internal;

import io.biometer.registry.CompatibilityLevel;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/** Checks a candidate schema against earlier versions under a compatibility level. */
public final class AvroCompatibility {

  private AvroCompatibility() {}

  /**
   * The incompatibilities of {@code candidate} against {@code earlier} (oldest first) under {@code
   * level}; empty if it is compatible. Non-transitive levels look only at the latest version.
   */
  public static List<String> check(
      CompatibilityLevel level, Schema candidate, List<Schema> earlier) {
    List<String> problems = new ArrayList<>();
    if (level == CompatibilityLevel.NONE || earlier.isEmpty()) {
      return problems;
    }
    List<Schema> against =
        level.isTransitive() ? earlier : List.of(earlier.get(earlier.size() - 1));
    for (Schema old : against) {
      if (level.checksBackward()) {
        describe(
            "new schema cannot read data written with an earlier one", candidate, old, problems);
      }
      if (level.checksForward()) {
        describe(
            "an earlier schema cannot read data written with the new one",
            old,
            candidate,
            problems);
      }
    }
    return problems;
  }

  private static void describe(String what, Schema reader, Schema writer, List<String> out) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
      for (Incompatibility i : result.getResult().getIncompatibilities()) {
        out.add(
            what
                + ": "
                + i.getType()
                + " at "
                + i.getLocation()
                + (i.getMessage() == null ? "" : " (" + i.getMessage() + ")"));
      }
    }
  }
}
