package io.biometer.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The few SQL statements the connector bench sends QuestDB over PG wire. */
final class QuestDbSql {

  private QuestDbSql() {}

  /** Rows in {@code table}; 0 while it does not exist (the sink creates it with its first row). */
  static long count(Connection sql, String table) throws SQLException {
    return io.biometer.devstack.EmbeddedQuestDb.countIfExists(
        sql, "SELECT count() FROM \"" + table + "\"");
  }

  static void exec(Connection sql, String statement) throws SQLException {
    try (Statement s = sql.createStatement()) {
      s.execute(statement);
    }
  }

  /** Runs {@code statement} on a connection of its own, ignoring a failure (cleanup). */
  static void execQuietly(BenchStack bench, String statement) {
    try (Connection sql =
        DriverManager.getConnection(bench.stack.questdb().jdbcUrl(), "admin", "quest")) {
      exec(sql, statement);
    } catch (SQLException e) {
      // a table left behind goes with the stack's folder
    }
  }
}
