package io.biometer.registry.internal;

import io.biometer.registry.CompatibilityLevel;
import io.biometer.registry.RegisteredSchema;
import io.biometer.registry.SchemaRegistryClient;
import io.biometer.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The data model of a schema registry: subjects with numbered versions, global ids shared by equal
 * schemas, and compatibility levels. It is the one implementation behind the embedded registry
 * server and the in-memory mock client.
 *
 * <p>Changes go through a {@link Journal} before they are applied, so a registry that persists them
 * (the embedded one writes a compacted Kafka topic) never applies what it failed to store; a
 * journal replayed through {@link #apply(RegisteredSchema)} and {@link #applyConfig} rebuilds the
 * same state, ids included. Thread-safe.
 */
public final class RegistryState {

  /** Where accepted changes are made durable before they take effect. */
  public interface Journal {
    /** A journal that keeps nothing. */
    Journal NONE =
        new Journal() {
          @Override
          public void schemaAdded(RegisteredSchema schema) {}

          @Override
          public void configChanged(String subject, CompatibilityLevel level) {}
        };

    /** Stores a new version; throws to refuse it. */
    void schemaAdded(RegisteredSchema schema);

    /** Stores a compatibility change ({@code subject} null for the global level). */
    void configChanged(String subject, CompatibilityLevel level);
  }

  private final Journal journal;
  private final Map<Integer, Schema> byId = new HashMap<>();
  private final Map<String, Integer> idByCanonical = new HashMap<>();
  private final Map<String, NavigableMap<Integer, Integer>> subjects = new HashMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel;
  private int maxId;

  /** An empty registry with {@code defaultLevel} as its global level. */
  public RegistryState(CompatibilityLevel defaultLevel, Journal journal) {
    this.globalLevel = defaultLevel;
    this.journal = journal;
  }

  /**
   * Parses schema text, as the registry does for every request.
   *
   * @throws SchemaRegistryException 42201 if it is not a valid Avro schema
   */
  public static Schema parse(String text) {
    if (text == null || text.isBlank()) {
      throw new SchemaRegistryException(
          422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: empty schema text");
    }
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException | NullPointerException | IllegalArgumentException e) {
      throw new SchemaRegistryException(
          422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage(), e);
    }
  }

  /** Registers or finds {@code schema} under {@code subject}; see the client's contract. */
  public synchronized RegisteredSchema register(String subject, Schema schema) {
    String canonical = schema.toString();
    NavigableMap<Integer, Integer> versions = subjects.get(subject);
    Integer existingId = idByCanonical.get(canonical);
    if (versions != null && existingId != null) {
      for (Map.Entry<Integer, Integer> v : versions.entrySet()) {
        if (v.getValue().equals(existingId)) {
          return new RegisteredSchema(subject, v.getKey(), existingId, byId.get(existingId));
        }
      }
    }
    List<String> problems =
        AvroCompatibility.check(level(subject), schema, schemasOf(versions, Integer.MAX_VALUE));
    if (!problems.isEmpty()) {
      throw new SchemaRegistryException(
          409,
          SchemaRegistryException.INCOMPATIBLE_SCHEMA,
          "Schema being registered is incompatible with an earlier schema for subject '"
              + subject
              + "' under compatibility level "
              + level(subject)
              + ": "
              + String.join("; ", problems));
    }
    int id = existingId != null ? existingId : maxId + 1;
    int version = versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
    RegisteredSchema added = new RegisteredSchema(subject, version, id, schema);
    journal.schemaAdded(added);
    apply(added);
    return added;
  }

  /** Applies a version read back from a journal (or just accepted). Idempotent. */
  public synchronized void apply(RegisteredSchema s) {
    String canonical = s.schema().toString();
    byId.putIfAbsent(s.id(), s.schema());
    idByCanonical.putIfAbsent(canonical, s.id());
    subjects.computeIfAbsent(s.subject(), k -> new TreeMap<>()).put(s.version(), s.id());
    maxId = Math.max(maxId, s.id());
  }

  /** Applies a compatibility change read back from a journal; {@code subject} null = global. */
  public synchronized void applyConfig(String subject, CompatibilityLevel level) {
    if (subject == null) {
      globalLevel = level;
    } else if (level == null) {
      subjectLevels.remove(subject);
    } else {
      subjectLevels.put(subject, level);
    }
  }

  /** See {@code SchemaRegistryClient.lookup}. */
  public synchronized RegisteredSchema lookup(String subject, Schema schema) {
    NavigableMap<Integer, Integer> versions = requireSubject(subject);
    Integer id = idByCanonical.get(schema.toString());
    if (id != null) {
      for (Map.Entry<Integer, Integer> v : versions.entrySet()) {
        if (v.getValue().equals(id)) {
          return new RegisteredSchema(subject, v.getKey(), id, byId.get(id));
        }
      }
    }
    throw new SchemaRegistryException(
        404,
        SchemaRegistryException.SCHEMA_NOT_FOUND,
        "Schema not found under subject '" + subject + "'");
  }

  /** See {@code SchemaRegistryClient.schemaById}. */
  public synchronized Schema schemaById(int id) {
    Schema schema = byId.get(id);
    if (schema == null) {
      throw new SchemaRegistryException(
          404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
    return schema;
  }

  /** All subjects, sorted. */
  public synchronized List<String> subjects() {
    return new ArrayList<>(new TreeSet<>(subjects.keySet()));
  }

  /** See {@code SchemaRegistryClient.versions}. */
  public synchronized List<Integer> versions(String subject) {
    return new ArrayList<>(requireSubject(subject).keySet());
  }

  /** See {@code SchemaRegistryClient.version}. */
  public synchronized RegisteredSchema version(String subject, String version) {
    NavigableMap<Integer, Integer> versions = requireSubject(subject);
    int v = parseVersion(version, versions);
    Integer id = versions.get(v);
    if (id == null) {
      throw new SchemaRegistryException(
          404,
          SchemaRegistryException.VERSION_NOT_FOUND,
          "Version " + version + " not found for subject '" + subject + "'");
    }
    return new RegisteredSchema(subject, v, id, byId.get(id));
  }

  /**
   * The incompatibilities of {@code schema} with {@code version} of {@code subject} (and the
   * versions before it, for transitive levels) under the subject's level; empty if compatible.
   */
  public synchronized List<String> incompatibilities(
      String subject, String version, Schema schema) {
    NavigableMap<Integer, Integer> versions = requireSubject(subject);
    int v = version(subject, version).version();
    return AvroCompatibility.check(level(subject), schema, schemasOf(versions, v));
  }

  /** The level in force for {@code subject} (its own, else global); null subject = global. */
  public synchronized CompatibilityLevel level(String subject) {
    return subject == null ? globalLevel : subjectLevels.getOrDefault(subject, globalLevel);
  }

  /** The subject's own level, or null if it has none. */
  public synchronized CompatibilityLevel subjectLevel(String subject) {
    return subjectLevels.get(subject);
  }

  /** Sets a level through the journal; {@code subject} null = global. */
  public synchronized void setLevel(String subject, CompatibilityLevel level) {
    journal.configChanged(subject, level);
    applyConfig(subject, level);
  }

  private NavigableMap<Integer, Integer> requireSubject(String subject) {
    NavigableMap<Integer, Integer> versions = subjects.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw new SchemaRegistryException(
          404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }
    return versions;
  }

  private List<Schema> schemasOf(NavigableMap<Integer, Integer> versions, int upToVersion) {
    List<Schema> out = new ArrayList<>();
    if (versions != null) {
      for (Integer id : versions.headMap(upToVersion, true).values()) {
        out.add(byId.get(id));
      }
    }
    return out;
  }

  private static int parseVersion(String version, NavigableMap<Integer, Integer> versions) {
    if (version == null
        || SchemaRegistryClient.LATEST.equalsIgnoreCase(version)
        || "-1".equals(version)) {
      return versions.lastKey();
    }
    try {
      int v = Integer.parseInt(version);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the registry's own error
    }
    throw new SchemaRegistryException(
        422,
        SchemaRegistryException.INVALID_VERSION,
        "The specified version '"
            + version
            + "' is not a valid version id. Allowed values are"
            + " between [1, 2^31-1] and the string \"latest\"");
  }
}
