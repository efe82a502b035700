package io.biometer.connect.questdb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Makes sure a target table can take redeliveries without duplicating rows: it must be a WAL table
 * whose designated timestamp is the mapping's and whose DEDUP UPSERT KEYS hold the mapping's keys.
 * A missing table is created so (when allowed); an existing one that is not so stops the task with
 * the SQL that fixes it, because writing to it would duplicate rows in silence.
 */
final class TableGuard {

  /** The outcome of a check. */
  enum State {
    MISSING,
    READY
  }

  private final QuestDbHttp http;

  TableGuard(QuestDbHttp http) {
    this.http = http;
  }

  /**
   * Checks {@code table} against {@code mapping}.
   *
   * @throws ConnectException if the table exists but is not fit (no WAL, another designated
   *     timestamp, upsert keys missing), naming the table and the fix
   */
  State check(String table, TopicMapping mapping)
      throws QuestDbHttp.UnavailableException, QuestDbHttp.RefusedException {
    JsonNode tables =
        http.exec(
            "SELECT walEnabled, dedup, designatedTimestamp FROM tables() WHERE table_name = "
                + literal(table));
    JsonNode rows = tables.path("dataset");
    if (rows.isEmpty()) {
      return State.MISSING;
    }
    JsonNode row = rows.get(0);
    boolean wal = row.get(0).asBoolean();
    String designated = row.get(2).isNull() ? null : row.get(2).asText();
    if (!wal) {
      throw new ConnectException(
          "table '"
              + table
              + "' exists without WAL: a redelivered batch could duplicate rows. Run ALTER TABLE "
              + ident(table)
              + " SET TYPE WAL; then restart QuestDB and run ALTER TABLE "
              + ident(table)
              + " DEDUP ENABLE UPSERT KEYS("
              + String.join(", ", mapping.upsertKeys())
              + "); or drop the table and let the sink create it");
    }
    if (!mapping.timestampColumn().equals(designated)) {
      throw new ConnectException(
          "table '"
              + table
              + "' has "
              + (designated == null
                  ? "no designated timestamp"
                  : "designated timestamp " + designated)
              + ", but the sink writes its timestamp to column '"
              + mapping.timestampColumn()
              + "': set "
              + QuestDbSinkConfig.DESIGNATED_TIMESTAMP_COLUMN
              + " to the table's, or drop the table and let the sink create it");
    }
    JsonNode columns =
        http.exec("SELECT \"column\", upsertKey FROM table_columns(" + literal(table) + ")")
            .path("dataset");
    Set<String> upsert = new HashSet<>();
    Set<String> present = new HashSet<>();
    for (JsonNode c : columns) {
      present.add(c.get(0).asText());
      if (c.get(1).asBoolean()) {
        upsert.add(c.get(0).asText());
      }
    }
    List<String> missing = new ArrayList<>();
    for (String k : mapping.upsertKeys()) {
      if (!upsert.contains(k)) {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      List<String> absent = missing.stream().filter(k -> !present.contains(k)).toList();
      throw new ConnectException(
          "table '"
              + table
              + "' lacks DEDUP UPSERT KEYS "
              + missing
              + " (it has "
              + (upsert.isEmpty() ? "no dedup" : upsert.toString())
              + "): redelivered records would become duplicate rows. "
              + (absent.isEmpty()
                  ? ""
                  : "Add the columns " + absent + " (ALTER TABLE ... ADD COLUMN); then ")
              + "run ALTER TABLE "
              + ident(table)
              + " DEDUP ENABLE UPSERT KEYS("
              + String.join(", ", mapping.upsertKeys())
              + ");");
    }
    return State.READY;
  }

  /**
   * Creates {@code table} for the rows of {@code plan}: WAL, partitioned by day, deduplicated on
   * the mapping's keys.
   *
   * @throws ConnectException if there are no dedup keys or one is not among the plan's columns
   */
  void create(String table, RowPlan plan)
      throws QuestDbHttp.UnavailableException, QuestDbHttp.RefusedException {
    http.exec(createSql(table, plan));
  }

  /**
   * The {@code CREATE TABLE} statement for {@code plan}.
   *
   * @throws ConnectException if there are no dedup keys or one is not among the plan's columns
   */
  static String createSql(String table, RowPlan plan) {
    TopicMapping m = plan.mapping();
    Map<String, RowPlan.Kind> types = plan.columnTypes();
    if (m.dedupKeys().isEmpty()) {
      // The timestamp alone as the upsert key would make rows of different devices at the same
      // time overwrite each other. The configuration's validation refuses this already; here it
      // cannot slip through whatever path the validation misses.
      throw new ConnectException(
          "topic "
              + m.topic()
              + " has no dedup keys, so its table '"
              + table
              + "' cannot be created: set "
              + QuestDbSinkConfig.TOPIC_PREFIX
              + m.topic()
              + "."
              + QuestDbSinkConfig.DEDUP_KEYS
              + " or "
              + QuestDbSinkConfig.DEDUP_KEYS
              + " to the columns that with the timestamp identify a row");
    }
    for (String k : m.dedupKeys()) {
      if (!k.equals(m.timestampColumn()) && !types.containsKey(k)) {
        throw new ConnectException(
            "dedup key '"
                + k
                + "' of topic "
                + m.topic()
                + " is not a column of its rows "
                + types.keySet()
                + ": fix "
                + QuestDbSinkConfig.TOPIC_PREFIX
                + m.topic()
                + "."
                + QuestDbSinkConfig.DEDUP_KEYS);
      }
    }
    StringBuilder b = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(ident(table));
    b.append(" (").append(ident(m.timestampColumn())).append(" TIMESTAMP");
    types.forEach(
        (name, kind) -> b.append(", ").append(ident(name)).append(' ').append(kind.sqlType));
    b.append(") TIMESTAMP(").append(ident(m.timestampColumn())).append(") PARTITION BY DAY WAL");
    b.append(" DEDUP UPSERT KEYS(");
    b.append(String.join(", ", m.upsertKeys().stream().map(TableGuard::ident).toList()));
    b.append(')');
    return b.toString();
  }

  static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  static String literal(String s) {
    return '\'' + s.replace("'", "''") + '\'';
  }
}
