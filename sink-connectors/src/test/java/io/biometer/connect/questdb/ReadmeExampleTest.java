package io.biometer.connect.questdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.biometer.avro.Alert;
import io.biometer.avro.CleanReading;
import io.biometer.avro.DailyAggregate;
import io.biometer.connect.avro.AvroData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's example connector configuration works on biometer's own schemas, as the Avro
 * converter gives them: it validates without errors, and each topic's mapping compiles into a table
 * whose dedup keys are columns. So the example a user copies cannot rot.
 */
class ReadmeExampleTest {

  static final String MARKER = "<!-- sink-example -->";

  static String readme;
  static Map<String, String> config;

  @BeforeAll
  static void readExample() throws Exception {
    readme = Files.readString(Path.of("README.md"));
    int marker = readme.indexOf(MARKER);
    assertThat(marker).as("README.md has the marker %s before the example", MARKER).isPositive();
    int start = readme.indexOf("```json\n", marker) + "```json\n".length();
    int end = readme.indexOf("```", start);
    JsonNode json = new ObjectMapper().readTree(readme.substring(start, end));
    config = new HashMap<>();
    json.get("config")
        .fields()
        .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
  }

  private static Schema connect(org.apache.avro.Schema avro) {
    return new AvroData(100, true, false, false).toConnectSchema(avro, 1);
  }

  @Test
  void theExampleIsAValidConfiguration() {
    assertThat(config)
        .containsEntry("connector.class", QuestDbSinkConnector.class.getName())
        .containsEntry("value.converter", "io.biometer.connect.avro.AvroConverter")
        .containsEntry("errors.tolerance", "all")
        .containsEntry("errors.deadletterqueue.topic.name", "telemetry.connect.dlq")
        .containsEntry("errors.deadletterqueue.context.headers.enable", "true")
        .containsKey("errors.retry.timeout");
    List<String> errors =
        new QuestDbSinkConnector()
            .validate(config).configValues().stream()
                .filter(v -> !v.errorMessages().isEmpty())
                .map(ConfigValue::toString)
                .toList();
    assertThat(errors).isEmpty();
  }

  @Test
  void eachTopicsMappingFitsItsSchema() {
    QuestDbSinkConfig c = new QuestDbSinkConfig(config);
    Map<String, org.apache.avro.Schema> topics =
        Map.of(
            "telemetry.readings.clean", CleanReading.getClassSchema(),
            "telemetry.alerts", Alert.getClassSchema(),
            "telemetry.aggregates.daily", DailyAggregate.getClassSchema());
    assertThat(QuestDbSinkConfig.topicsOf(config))
        .containsExactlyInAnyOrderElementsOf(topics.keySet());
    topics.forEach(
        (topic, avro) -> {
          TopicMapping m = c.mapping(topic);
          RowPlan plan = RowPlan.compile(m, connect(avro));
          String sql = TableGuard.createSql(m.table(), plan);
          assertThat(sql).as(topic).contains("WAL DEDUP UPSERT KEYS(\"ts\"");
          for (String symbol : m.symbols()) {
            assertThat(plan.columnTypes())
                .as("%s: symbol %s is a string column", topic, symbol)
                .containsEntry(symbol, RowPlan.Kind.SYMBOL);
          }
        });
  }

  /**
   * Alert.connection (DEVICE_SILENT: connected or disconnected) lands as a column of its own, so
   * the dashboards can tell a quiet device from a disconnected one; a table created before the
   * field existed gains the column on the first row that carries it (QuestDB adds columns for ILP).
   */
  @Test
  void aSilentAlertsConnectionLandsAsAColumn() {
    TopicMapping m = new QuestDbSinkConfig(config).mapping("telemetry.alerts");
    RowPlan plan = RowPlan.compile(m, connect(Alert.getClassSchema()));
    assertThat(plan.columnTypes()).containsEntry("connection", RowPlan.Kind.VARCHAR);
    assertThat(TableGuard.createSql(m.table(), plan)).contains("\"connection\" VARCHAR");
  }

  @Test
  void theReadmesCreateTableIsTheOneForReadings() {
    QuestDbSinkConfig c = new QuestDbSinkConfig(config);
    TopicMapping m = c.mapping("telemetry.readings.clean");
    String sql =
        TableGuard.createSql(m.table(), RowPlan.compile(m, connect(CleanReading.getClassSchema())));
    assertThat(readme.replaceAll("\\s+", " "))
        .as("README.md's CREATE TABLE for readings; it is:%n%s", sql)
        .contains(sql);
  }
}
