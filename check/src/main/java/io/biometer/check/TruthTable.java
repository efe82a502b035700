package io.biometer.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The truth check's result: one row per check, with what was expected, what was seen, a verdict.
 */
public final class TruthTable {

  /**
   * One check.
   *
   * @param group what it is about (readings, relays, alerts, aggregates, ledger, dlq, spool, ...)
   * @param check what is compared
   * @param expected derived from the ground truth and the raw input
   * @param observed read from QuestDB and the topics
   * @param holds the verdict
   * @param detail the first differences, or a note; empty when there is nothing to add
   */
  public record Row(
      String group, String check, String expected, String observed, boolean holds, String detail) {}

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, Object> run = new LinkedHashMap<>();

  void add(String group, String check, Object expected, Object observed, boolean holds) {
    add(group, check, expected, observed, holds, "");
  }

  void add(
      String group, String check, Object expected, Object observed, boolean holds, String detail) {
    rows.add(
        new Row(group, check, String.valueOf(expected), String.valueOf(observed), holds, detail));
  }

  /** Adds a row that holds when {@code expected} equals {@code observed}. */
  void equal(String group, String check, long expected, long observed) {
    add(group, check, expected, observed, expected == observed);
  }

  /** Facts about the run (seed, fault, durations), printed above the table and in the JSON. */
  void fact(String key, Object value) {
    run.put(key, value);
  }

  public List<Row> rows() {
    return List.copyOf(rows);
  }

  /** True when every row holds (and there is at least one). */
  public boolean holds() {
    return !rows.isEmpty() && rows.stream().allMatch(Row::holds);
  }

  public long failures() {
    return rows.stream().filter(r -> !r.holds()).count();
  }

  /** The table as fixed-width text. */
  public void print(PrintStream out) {
    run.forEach((k, v) -> out.println(k + ": " + v));
    int g = 5;
    int c = 5;
    int e = 8;
    int o = 8;
    for (Row r : rows) {
      g = Math.max(g, r.group().length());
      c = Math.max(c, r.check().length());
      e = Math.max(e, r.expected().length());
      o = Math.max(o, r.observed().length());
    }
    String fmt = "%-" + g + "s  %-" + c + "s  %" + e + "s  %" + o + "s  %-7s %s%n";
    out.printf(fmt, "group", "check", "expected", "observed", "verdict", "");
    for (Row r : rows) {
      out.printf(
          fmt,
          r.group(),
          r.check(),
          r.expected(),
          r.observed(),
          r.holds() ? "holds" : "FAILS",
          r.detail());
    }
    out.println(
        holds()
            ? "truth check: every one of " + rows.size() + " rows holds"
            : "truth check: " + failures() + " of " + rows.size() + " rows FAIL");
  }

  /** Writes the table and the run's facts as JSON. */
  public void writeJson(Path file) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("run", run);
    doc.put("holds", holds());
    doc.put("rows", rows);
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
  }
}
