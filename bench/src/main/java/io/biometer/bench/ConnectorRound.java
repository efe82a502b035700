package io.biometer.bench;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * One round of the connector bench: the three writers one after the other, in an order that
 * alternates from round to round, and the check that their tables hold the same rows in the same
 * columns.
 */
final class ConnectorRound {
  private final ConnectorWriters writers;
  private final Connection sql;
  private final PrintStream err;

  ConnectorRound(ConnectorWriters writers, Connection sql, PrintStream err) {
    this.writers = writers;
    this.sql = sql;
    this.err = err;
  }

  /**
   * Runs the connector, (b) and (a), in that order or reversed; returns their rows/s in that order.
   * The three tables must then hold the same rows in the same columns, or the round is void; they
   * are dropped afterwards.
   */
  double[] round(String label, boolean reversed) throws Exception {
    String connectorTable = "bench_connector_" + label;
    String consumerTable = "bench_consumer_" + label;
    String ilpTable = "bench_ilp_" + label;
    double[] rates = new double[3];
    for (int k = 0; k < 3; k++) {
      int which = reversed ? 2 - k : k;
      switch (which) {
        case 0 -> {
          err.printf("biometer bench connector: %s: connector (real worker) ...%n", label);
          rates[0] =
              writers.connector("bench-" + label + "-" + ConnectorWriters.uuid(), connectorTable);
        }
        case 1 -> {
          err.printf(
              "biometer bench connector: %s: (b) consumer + deserializer + ILP client ...%n",
              label);
          rates[1] = writers.consumer(consumerTable);
        }
        default -> {
          err.printf("biometer bench connector: %s: (a) ILP client alone ...%n", label);
          rates[2] = writers.ilp(ilpTable);
        }
      }
      err.printf("biometer bench connector: %s: %s rows/s%n", label, Fmt.num(rates[which]));
    }
    String expected = describe(connectorTable);
    for (String t : List.of(consumerTable, ilpTable)) {
      String found = describe(t);
      if (!found.equals(expected)) {
        throw new IllegalStateException(
            "round "
                + label
                + " is void: table "
                + t
                + " differs from the sink's "
                + connectorTable
                + ":\n  sink's: "
                + expected
                + "\n  "
                + t
                + ": "
                + found);
      }
    }
    for (String t : List.of(connectorTable, consumerTable, ilpTable)) {
      QuestDbSql.exec(sql, "DROP TABLE \"" + t + "\"");
    }
    return rates;
  }

  /**
   * A table's kind, columns and content in brief: WAL, dedup, designated timestamp, partitioning;
   * each column's name, type and whether it is an upsert key; the row count, sequence sum, time
   * range and value sum.
   */
  private String describe(String table) throws SQLException {
    StringBuilder b = new StringBuilder();
    b.append(
        query(
            "SELECT walEnabled, dedup, designatedTimestamp, partitionBy FROM tables() WHERE"
                + " table_name = '"
                + table
                + "'"));
    b.append(
        query(
            "SELECT \"column\", type, upsertKey FROM table_columns('"
                + table
                + "') ORDER BY \"column\""));
    b.append(
        query(
            "SELECT count(), sum(sequence), min(ts), max(ts), round(sum(value), 1),"
                + " count_distinct(device_id) FROM \""
                + table
                + "\""));
    return b.toString();
  }

  private String query(String q) throws SQLException {
    StringBuilder b = new StringBuilder();
    try (Statement s = sql.createStatement();
        ResultSet rs = s.executeQuery(q)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        b.append('[');
        for (int i = 1; i <= n; i++) {
          b.append(i > 1 ? ", " : "").append(rs.getString(i));
        }
        b.append(']');
      }
    }
    return b.toString();
  }
}
