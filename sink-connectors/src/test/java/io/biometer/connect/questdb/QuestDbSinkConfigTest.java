package io.biometer.connect.questdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/**
 * The connector's configuration: every error reported at once on the key it belongs to (so
 * Connect's REST validation shows them all next to their fields), and the per-topic keys over the
 * global ones.
 */
class QuestDbSinkConfigTest {

  private static final String READINGS = "telemetry.readings.clean";
  private static final String ALERTS = "telemetry.alerts";

  /** A valid configuration for the readings and alerts topics. */
  private static Map<String, String> valid() {
    Map<String, String> p = new HashMap<>();
    p.put("name", "questdb-sink");
    p.put("connector.class", QuestDbSinkConnector.class.getName());
    p.put("topics", READINGS + "," + ALERTS);
    p.put(QuestDbSinkConfig.CLIENT_CONF_STRING, "http::addr=127.0.0.1:9000;");
    p.put("topic." + READINGS + ".table", "readings");
    p.put("topic." + READINGS + ".timestamp.field.name", "eventTime");
    p.put("topic." + READINGS + ".explode", "values");
    p.put("topic." + READINGS + ".symbols", "device_id,owner_id,channel");
    p.put("topic." + READINGS + ".dedup.keys", "device_id,sequence,channel");
    p.put("topic." + ALERTS + ".table", "alerts");
    p.put("topic." + ALERTS + ".dedup.keys", "device_id,rule,state");
    return p;
  }

  /** The error messages of every key that has some, by key. */
  private static Map<String, List<String>> errors(Map<String, String> props) {
    Config config = new QuestDbSinkConnector().validate(props);
    Map<String, List<String>> out = new TreeMap<>();
    for (ConfigValue v : config.configValues()) {
      if (!v.errorMessages().isEmpty()) {
        out.put(v.name(), v.errorMessages());
      }
    }
    return out;
  }

  @Test
  void aValidConfigurationHasNoErrors() {
    assertThat(errors(valid())).isEmpty();
    new QuestDbSinkConfig(valid());
  }

  @Test
  void validateReportsEveryErrorAtOnceOnItsOwnKey() {
    Map<String, String> p = new HashMap<>();
    p.put("topics", "t,u");
    p.put(QuestDbSinkConfig.CLIENT_CONF_STRING, "tcp::addr=x;");
    p.put("topic.t.tabel", "typo");
    p.put(QuestDbSinkConfig.ALLOWED_LAG, "-1");

    Map<String, List<String>> errors = errors(p);

    assertThat(errors)
        .containsOnlyKeys(
            QuestDbSinkConfig.CLIENT_CONF_STRING,
            "topic.t.tabel",
            "topic.t.dedup.keys",
            "topic.u.dedup.keys",
            QuestDbSinkConfig.ALLOWED_LAG);
    assertThat(errors.get(QuestDbSinkConfig.CLIENT_CONF_STRING))
        .singleElement(STRING)
        .contains("transport 'tcp' is not supported")
        .contains("http::");
    assertThat(errors.get("topic.t.tabel"))
        .singleElement(STRING)
        .contains("unknown per-topic key")
        .contains("table");
    assertThat(errors.get("topic.t.dedup.keys"))
        .singleElement(STRING)
        .contains("missing")
        .contains("topic t");
    assertThat(errors.get("topic.u.dedup.keys")).singleElement(STRING).contains("topic u");
    assertThat(errors.get(QuestDbSinkConfig.ALLOWED_LAG)).singleElement(STRING).contains("-1");
  }

  @Test
  void aClientConfigurationWithoutAddrIsAnErrorOfItsKey() {
    Map<String, String> p = valid();
    p.put(QuestDbSinkConfig.CLIENT_CONF_STRING, "http::username=admin;");
    Map<String, List<String>> errors = errors(p);
    assertThat(errors).containsOnlyKeys(QuestDbSinkConfig.CLIENT_CONF_STRING);
    assertThat(errors.get(QuestDbSinkConfig.CLIENT_CONF_STRING))
        .singleElement(STRING)
        .contains("no addr");
  }

  @Test
  void aMissingClientConfigurationIsReported() {
    Map<String, String> p = valid();
    p.remove(QuestDbSinkConfig.CLIENT_CONF_STRING);
    assertThat(errors(p)).containsOnlyKeys(QuestDbSinkConfig.CLIENT_CONF_STRING);
  }

  @Test
  void theConstructorListsEveryErrorInOneException() {
    Map<String, String> p = valid();
    p.put(QuestDbSinkConfig.CLIENT_CONF_STRING, "tcp::addr=x;");
    p.put("topic." + READINGS + ".tabel", "typo");
    p.remove("topic." + ALERTS + ".dedup.keys");
    p.put(QuestDbSinkConfig.ALLOWED_LAG, "-1");
    assertThatThrownBy(() -> new QuestDbSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(QuestDbSinkConfig.CLIENT_CONF_STRING + ": transport 'tcp'")
        .hasMessageContaining("topic." + READINGS + ".tabel: unknown per-topic key")
        .hasMessageContaining("topic." + ALERTS + ".dedup.keys: missing")
        .hasMessageContaining(QuestDbSinkConfig.ALLOWED_LAG);
  }

  @Test
  void theConnectorRefusesToStartWithAnInvalidConfiguration() {
    Map<String, String> p = valid();
    p.remove("topic." + READINGS + ".dedup.keys");
    assertThatThrownBy(() -> new QuestDbSinkConnector().start(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topic." + READINGS + ".dedup.keys");
  }

  @Test
  void withoutTableCreationNoDedupKeysAreNeeded() {
    Map<String, String> p = valid();
    p.remove("topic." + READINGS + ".dedup.keys");
    p.remove("topic." + ALERTS + ".dedup.keys");
    assertThat(errors(p))
        .containsOnlyKeys("topic." + READINGS + ".dedup.keys", "topic." + ALERTS + ".dedup.keys");
    p.put(QuestDbSinkConfig.CREATE_TABLES, "false");
    assertThat(errors(p)).isEmpty();
    assertThat(new QuestDbSinkConfig(p).mapping(READINGS).dedupKeys()).isEmpty();
  }

  @Test
  void globalDedupKeysServeEveryTopic() {
    Map<String, String> p = valid();
    p.remove("topic." + READINGS + ".dedup.keys");
    p.remove("topic." + ALERTS + ".dedup.keys");
    p.put(QuestDbSinkConfig.DEDUP_KEYS, "device_id");
    assertThat(errors(p)).isEmpty();
    assertThat(new QuestDbSinkConfig(p).mapping(ALERTS).upsertKeys())
        .containsExactly("ts", "device_id");
  }

  @Test
  void topicsByRegexNeedGlobalDedupKeys() {
    // The topics a regex matches are not known before records arrive: only global keys can
    // give their tables dedup keys.
    Map<String, String> p = new HashMap<>();
    p.put("topics.regex", "telemetry\\..*");
    p.put(QuestDbSinkConfig.CLIENT_CONF_STRING, "http::addr=127.0.0.1:9000;");
    Map<String, List<String>> errors = errors(p);
    assertThat(errors).containsOnlyKeys(QuestDbSinkConfig.DEDUP_KEYS);
    assertThat(errors.get(QuestDbSinkConfig.DEDUP_KEYS))
        .singleElement(STRING)
        .contains("topics.regex");
    p.put(QuestDbSinkConfig.DEDUP_KEYS, "device_id");
    assertThat(errors(p)).isEmpty();
    p.remove(QuestDbSinkConfig.DEDUP_KEYS);
    p.put(QuestDbSinkConfig.CREATE_TABLES, "false");
    assertThat(errors(p)).isEmpty();
  }

  @Test
  void perTopicKeysOverrideGlobalOnesAndTopicNamesMayHoldDots() {
    Map<String, String> p = valid();
    p.put(QuestDbSinkConfig.TABLE, "everything");
    p.put(QuestDbSinkConfig.SYMBOLS, "device_id");
    p.put(QuestDbSinkConfig.TIMESTAMP_FIELD_NAME, "detectedAt");
    p.put(QuestDbSinkConfig.COLUMN_NAMING, QuestDbSinkConfig.AS_IS);
    p.put(QuestDbSinkConfig.DESIGNATED_TIMESTAMP_COLUMN, "at");
    QuestDbSinkConfig config = new QuestDbSinkConfig(p);

    TopicMapping readings = config.mapping(READINGS);
    assertThat(readings.topic()).isEqualTo(READINGS);
    assertThat(readings.table()).isEqualTo("readings");
    assertThat(readings.timestampField()).isEqualTo("eventTime");
    assertThat(readings.explode()).isEqualTo("values");
    assertThat(readings.symbols()).containsExactlyInAnyOrder("device_id", "owner_id", "channel");
    assertThat(readings.dedupKeys()).containsExactly("device_id", "sequence", "channel");
    assertThat(readings.upsertKeys()).containsExactly("at", "device_id", "sequence", "channel");
    assertThat(readings.namesAsIs()).isTrue();

    TopicMapping alerts = config.mapping(ALERTS);
    assertThat(alerts.table()).isEqualTo("alerts");
    assertThat(alerts.timestampField()).as("the global value").isEqualTo("detectedAt");
    assertThat(alerts.symbols()).as("the global value").containsExactly("device_id");
    assertThat(alerts.explode()).isEmpty();

    TopicMapping other = config.mapping("telemetry.other");
    assertThat(other.table()).isEqualTo("everything");
    assertThat(other.dedupKeys()).isEmpty();

    assertThat(config.perTopicKeys())
        .containsOnlyKeys(READINGS, ALERTS)
        .extractingByKey(READINGS)
        .isEqualTo(
            Map.of(
                "table", "readings",
                "timestamp.field.name", "eventTime",
                "explode", "values",
                "symbols", "device_id,owner_id,channel",
                "dedup.keys", "device_id,sequence,channel"));
  }

  @Test
  void perTopicKeysNameTheirTopics() {
    assertThat(QuestDbSinkConfig.perTopicKey("topic.telemetry.readings.clean.table"))
        .containsExactly("telemetry.readings.clean", "table");
    assertThat(QuestDbSinkConfig.perTopicKey("topic.a.b.timestamp.field.name"))
        .containsExactly("a.b", "timestamp.field.name");
    assertThat(QuestDbSinkConfig.perTopicKey("topic.x.dedup.keys"))
        .containsExactly("x", "dedup.keys");
    assertThat(QuestDbSinkConfig.perTopicKey("topic..table")).as("no topic").isNull();
    assertThat(QuestDbSinkConfig.perTopicKey("topic.x.tabel")).isNull();
    assertThat(QuestDbSinkConfig.perTopicKey("topics")).isNull();
    assertThat(QuestDbSinkConfig.topicsOf(valid())).containsExactly(ALERTS, READINGS);
  }

  @Test
  void aTopicNamedOnlyInPerTopicKeysNeedsDedupKeysToo() {
    Map<String, String> p = valid();
    p.put("topic.telemetry.aggregates.daily.table", "daily_aggregates");
    assertThat(errors(p)).containsOnlyKeys("topic.telemetry.aggregates.daily.dedup.keys");
  }

  @Test
  void theTableTemplateTakesTheTopic() {
    Map<String, String> p = valid();
    p.put(QuestDbSinkConfig.TABLE, "biometer_${topic}");
    QuestDbSinkConfig config = new QuestDbSinkConfig(p);
    assertThat(config.mapping("telemetry.sink.status").table())
        .isEqualTo("biometer_telemetry.sink.status");
    assertThat(config.mapping(READINGS).table()).as("its own key wins").isEqualTo("readings");

    p.remove(QuestDbSinkConfig.TABLE);
    assertThat(new QuestDbSinkConfig(p).mapping("telemetry.sink.status").table())
        .as("the default is ${topic}")
        .isEqualTo("telemetry.sink.status");
  }

  @Test
  void listsAreTrimmedAndEmptyEntriesDropped() {
    Map<String, String> p = valid();
    p.put("topic." + ALERTS + ".symbols", " device_id , rule,,");
    p.put("topic." + ALERTS + ".timestamp.field.name", " eventTime ");
    TopicMapping alerts = new QuestDbSinkConfig(p).mapping(ALERTS);
    assertThat(alerts.symbols()).containsExactlyInAnyOrder("device_id", "rule");
    assertThat(alerts.timestampField()).isEqualTo("eventTime");
  }

  @Test
  void theClientConfigurationIsAPasswordThatValidationDoesNotEcho() {
    Map<String, String> p = valid();
    p.put(
        QuestDbSinkConfig.CLIENT_CONF_STRING,
        "https::addr=db:9000;username=admin;password=s3cr3t;;tail;");
    assertThat(new QuestDbSinkConfig(p).clientConf()).contains("password=s3cr3t;;tail;");
    p.put(QuestDbSinkConfig.CLIENT_CONF_STRING, "https::username=admin;password=s3cr3t;");
    assertThat(errors(p).toString()).contains("no addr").doesNotContain("s3cr3t");
    assertThatThrownBy(() -> new QuestDbSinkConfig(p))
        .hasMessageNotContaining("s3cr3t")
        .hasMessageContaining("no addr");
  }
}
