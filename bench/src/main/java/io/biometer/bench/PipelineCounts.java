package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.devstack.EmbeddedQuestDb;
import io.biometer.devstack.LocalStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/** What the end-to-end run counts beside its ledger: DLQ records, alerts and aggregates landed. */
final class PipelineCounts {

  private PipelineCounts() {}

  static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  static long dlqRecords(BenchStack bench, Map<TopicPartition, Long> before) throws Exception {
    try (Admin admin = bench.admin()) {
      return sum(BenchStack.endOffsets(admin, List.of(Topics.DLQ))) - sum(before);
    }
  }

  /** The most frequent alert kinds landed: {@code rule state count, ...}. */
  static String alertsByRule(LocalStack stack, String table) {
    try (Connection sql = DriverManager.getConnection(stack.questdb().jdbcUrl(), "admin", "quest");
        var s = sql.createStatement();
        var rs =
            s.executeQuery(
                "SELECT rule, state, count() n FROM \""
                    + table
                    + "\" GROUP BY rule, state ORDER BY n DESC LIMIT 8")) {
      List<String> kinds = new ArrayList<>();
      while (rs.next()) {
        kinds.add(String.format("%s %s %,d", rs.getString(1), rs.getString(2), rs.getLong(3)));
      }
      return String.join(", ", kinds);
    } catch (SQLException e) {
      return "";
    }
  }

  static long count(LocalStack stack, String table) throws SQLException {
    try (Connection sql =
        DriverManager.getConnection(stack.questdb().jdbcUrl(), "admin", "quest")) {
      return EmbeddedQuestDb.countIfExists(sql, "SELECT count() FROM \"" + table + "\"");
    }
  }
}
