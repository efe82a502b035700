package io.biometer.connect.questdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/**
 * The table the sink creates (WAL, deduplicated on the mapping's keys) and the checks of an
 * existing one, against canned answers of QuestDB's {@code /exec}.
 */
class TableGuardTest {

  private static TopicMapping readings(List<String> dedupKeys) {
    return new TopicMapping(
        SinkFixtures.READINGS,
        "readings",
        "eventTime",
        "ts",
        Set.of("device_id", "owner_id", "channel"),
        dedupKeys,
        "values",
        false,
        false);
  }

  @Test
  void createsAWalTableDeduplicatedOnTheTimestampAndTheKeys() {
    RowPlan plan =
        RowPlan.compile(
            readings(List.of("device_id", "sequence", "channel")), SinkFixtures.READING);
    assertThat(TableGuard.createSql("readings", plan))
        .isEqualTo(
            "CREATE TABLE IF NOT EXISTS \"readings\" (\"ts\" TIMESTAMP, \"device_id\" SYMBOL,"
                + " \"owner_id\" SYMBOL, \"sensor_type\" SYMBOL, \"sequence\" LONG,"
                + " \"battery_percent\" DOUBLE, \"relay_kind\" SYMBOL, \"relay_id\" VARCHAR,"
                + " \"relayed_at\" TIMESTAMP, \"spooled\" BOOLEAN, \"note\" VARCHAR,"
                + " \"channel\" SYMBOL, \"value\" DOUBLE) TIMESTAMP(\"ts\") PARTITION BY DAY WAL"
                + " DEDUP UPSERT KEYS(\"ts\", \"device_id\", \"sequence\", \"channel\")");
  }

  @Test
  void theTimestampAmongTheDedupKeysIsNamedOnce() {
    Schema schema = SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA).build();
    TopicMapping m =
        new TopicMapping("t", "t", "", "at", Set.of(), List.of("at", "id"), "", false, false);
    assertThat(TableGuard.createSql("t", RowPlan.compile(m, schema)))
        .isEqualTo(
            "CREATE TABLE IF NOT EXISTS \"t\" (\"at\" TIMESTAMP, \"id\" VARCHAR) TIMESTAMP(\"at\")"
                + " PARTITION BY DAY WAL DEDUP UPSERT KEYS(\"at\", \"id\")");
  }

  @Test
  void namesAreQuotedSoAnyTableOrColumnNameIsOneIdentifier() {
    assertThat(TableGuard.ident("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(TableGuard.literal("it's")).isEqualTo("'it''s'");
  }

  @Test
  void aDedupKeyThatIsNoColumnStopsTheTaskNamingTheKeyToFix() {
    RowPlan plan =
        RowPlan.compile(
            readings(List.of("device_id", "deviceId", "channel")), SinkFixtures.READING);
    assertThatThrownBy(() -> TableGuard.createSql("readings", plan))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("dedup key 'deviceId'")
        .hasMessageContaining("topic " + SinkFixtures.READINGS)
        .hasMessageContaining("device_id, owner_id")
        .hasMessageContaining("fix topic." + SinkFixtures.READINGS + ".dedup.keys");
  }

  @Test
  void withoutDedupKeysNoTableIsCreated() {
    // DEDUP UPSERT KEYS(ts) alone would let rows of two devices at the same time overwrite each
    // other.
    RowPlan plan = RowPlan.compile(readings(List.of()), SinkFixtures.READING);
    assertThatThrownBy(() -> TableGuard.createSql("readings", plan))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("topic " + SinkFixtures.READINGS + " has no dedup keys")
        .hasMessageContaining("table 'readings' cannot be created")
        .hasMessageContaining("set topic." + SinkFixtures.READINGS + ".dedup.keys or dedup.keys");
  }

  /** A QuestDB whose {@code /exec} answers each statement with the next canned JSON. */
  static final class CannedHttp extends QuestDbHttp {
    final List<String> statements = new ArrayList<>();
    private final List<String> answers;

    CannedHttp(String... answers) {
      super(ClientConf.parse("http::addr=127.0.0.1:1;"));
      this.answers = new ArrayList<>(List.of(answers));
    }

    @Override
    JsonNode exec(String sql) {
      statements.add(sql);
      try {
        return new ObjectMapper().readTree(answers.remove(0));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static final TopicMapping READINGS =
      readings(List.of("device_id", "sequence", "channel"));

  @Test
  void aTableThatDoesNotExistIsMissing() throws Exception {
    CannedHttp http = new CannedHttp("{\"dataset\":[]}");
    assertThat(new TableGuard(http).check("it's", READINGS)).isEqualTo(TableGuard.State.MISSING);
    assertThat(http.statements)
        .containsExactly(
            "SELECT walEnabled, dedup, designatedTimestamp FROM tables() WHERE table_name ="
                + " 'it''s'");
  }

  @Test
  void aWalTableWithTheKeysIsReady() throws Exception {
    CannedHttp http =
        new CannedHttp(
            "{\"dataset\":[[true,true,\"ts\"]]}",
            "{\"dataset\":[[\"ts\",true],[\"device_id\",true],[\"sequence\",true],"
                + "[\"channel\",true],[\"value\",false]]}");
    assertThat(new TableGuard(http).check("readings", READINGS)).isEqualTo(TableGuard.State.READY);
  }

  @Test
  void anotherDesignatedTimestampStopsTheTaskWithTheKeyToSet() {
    CannedHttp http = new CannedHttp("{\"dataset\":[[true,true,\"event_time\"]]}");
    assertThatThrownBy(() -> new TableGuard(http).check("readings", READINGS))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("table 'readings' has designated timestamp event_time")
        .hasMessageContaining("column 'ts'")
        .hasMessageContaining("set designated.timestamp.column.name");
  }

  @Test
  void missingKeyColumnsAreNamedWithTheStatementsThatAddThem() {
    CannedHttp http =
        new CannedHttp(
            "{\"dataset\":[[true,false,\"ts\"]]}",
            "{\"dataset\":[[\"ts\",false],[\"device_id\",false],[\"value\",false]]}");
    assertThatThrownBy(() -> new TableGuard(http).check("readings", READINGS))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining(
            "table 'readings' lacks DEDUP UPSERT KEYS [ts, device_id, sequence, channel] (it has"
                + " no dedup)")
        .hasMessageContaining("Add the columns [sequence, channel]")
        .hasMessageContaining(
            "ALTER TABLE \"readings\" DEDUP ENABLE UPSERT KEYS(ts, device_id, sequence, channel);");
  }
}
