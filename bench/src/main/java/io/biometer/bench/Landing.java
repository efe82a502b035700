package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.devstack.ConnectWorker;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A QuestDB sink connector of a bench's own on the stack's Connect worker: the local run's config
 * ({@code questdb-sink.json}, with this stack's addresses), landing the pipeline's three topics
 * into fresh tables {@code <prefix>_<id>_readings}, {@code _alerts} and {@code _daily_aggregates},
 * from the topics' ends at its start. Closing it deletes the connector and drops its tables.
 */
final class Landing implements AutoCloseable {

  /** Starts a landing connector whose tables' names start {@code prefix}. */
  interface Factory {
    Landing start(String prefix) throws Exception;
  }

  /** The topics the sink lands, each into a table of its own. */
  static final List<String> TOPICS =
      List.of(Topics.READINGS_CLEAN, Topics.ALERTS, Topics.AGGREGATES_DAILY);

  private final ConnectWorker worker;
  private final String name;
  private final String jdbc;
  private final String readings;
  private final String alerts;
  private final String aggregates;

  private Landing(ConnectWorker worker, String name, String jdbc, String prefix) {
    this.worker = worker;
    this.name = name;
    this.jdbc = jdbc;
    this.readings = prefix + "_readings";
    this.alerts = prefix + "_alerts";
    this.aggregates = prefix + "_daily_aggregates";
  }

  /**
   * Deploys the connector and waits until it and its task run.
   *
   * @param prefix the start of its tables' names, e.g. {@code e2e}
   */
  static Landing start(BenchStack bench, String prefix) throws Exception {
    if (!bench.hasConnect()) {
      throw new IllegalStateException("this bench stack has no Connect worker to land rows with");
    }
    String id = UUID.randomUUID().toString().substring(0, 6);
    Landing l =
        new Landing(
            bench.stack.connect(),
            "bench-" + prefix.replace('_', '-') + "-" + id,
            bench.stack.questdb().jdbcUrl(),
            prefix + "_" + id);
    Map<String, String> c = new LinkedHashMap<>(bench.stack.connectorConfig());
    c.put(table(Topics.READINGS_CLEAN), l.readings);
    c.put(table(Topics.ALERTS), l.alerts);
    c.put(table(Topics.AGGREGATES_DAILY), l.aggregates);
    // A new connector name is a new consumer group: it starts where the topics end now.
    bench.startAtEnd("connect-" + l.name, TOPICS);
    l.worker.putConnector(l.name, c);
    try {
      l.worker.awaitRunning(l.name, Duration.ofSeconds(90));
    } catch (RuntimeException e) {
      l.close();
      throw e;
    }
    return l;
  }

  /** The connector config key of the table {@code topic} lands in. */
  static String table(String topic) {
    return "topic." + topic + ".table";
  }

  /** The connector's name (its consumer group is {@code connect-<name>}). */
  String name() {
    return name;
  }

  /** The table the clean readings land in, one row per channel. */
  String readings() {
    return readings;
  }

  /** The table the alerts land in. */
  String alerts() {
    return alerts;
  }

  /** The table the daily aggregates land in. */
  String aggregates() {
    return aggregates;
  }

  /** Throws if the connector or its task failed. */
  void failIfFailed() throws Exception {
    var status = worker.status(name);
    if (status == null) {
      throw new IllegalStateException("connector " + name + " is gone");
    }
    for (var t : status.path("tasks")) {
      if ("FAILED".equals(t.path("state").asText())) {
        throw new IllegalStateException(
            "task of connector " + name + " failed: " + t.path("trace").asText());
      }
    }
  }

  @Override
  public void close() throws Exception {
    worker.deleteConnector(name, Duration.ofSeconds(60));
    try (Connection sql = DriverManager.getConnection(jdbc, "admin", "quest");
        Statement s = sql.createStatement()) {
      for (String t : List.of(readings, alerts, aggregates)) {
        s.execute("DROP TABLE IF EXISTS \"" + t + "\"");
      }
    } catch (SQLException e) {
      // Tables left behind go with the stack's temporary folder.
    }
  }
}
