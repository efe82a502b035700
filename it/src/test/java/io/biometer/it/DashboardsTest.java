package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.biometer.devstack.*;
import io.biometer.it.GrafanaDashboards.Dashboard;
import io.biometer.it.GrafanaDashboards.Query;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The structure of every Grafana dashboard in grafana/dashboards and of the provisioning that loads
 * them. Grafana cannot run here; DashboardQueriesIT runs the panels' SQL on a real QuestDB.
 */
class DashboardsTest {

  private static final List<Dashboard> DASHBOARDS = GrafanaDashboards.load();
  private static final Set<String> GLOBALS =
      Set.of(
          "__interval_ms",
          "__interval",
          "__rate_interval",
          "__range",
          "__timeFilter",
          "__timeFrom",
          "__timeTo");

  @Test
  void theFiveDashboardsAreThere() {
    assertThat(DASHBOARDS.stream().map(Dashboard::title))
        .containsExactlyInAnyOrder(
            "biometer · Patient vitals",
            "biometer · Alerts",
            "biometer · Smart meters",
            "biometer · Data completeness",
            "biometer · Pipeline health");
    assertThat(DASHBOARDS.stream().map(Dashboard::uid))
        .doesNotHaveDuplicates()
        .allMatch(u -> !u.isBlank());
  }

  private static String read(String path) {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of(path));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void datasourcesArePinnedAndQuestDbIsReadOnly() {
    Map<String, String> ds = GrafanaDashboards.provisionedDatasources();
    assertThat(ds)
        .containsEntry("questdb", GrafanaDashboards.SQL_TYPE)
        .containsEntry("prometheus", GrafanaDashboards.PROMETHEUS_TYPE);
    JsonNode q = GrafanaDashboards.datasource("questdb");
    assertThat(q.path("url").asText()).isEqualTo("questdb:8812");
    assertThat(q.path("user").asText()).isEqualTo(EmbeddedQuestDb.READONLY_USER);
    // Grafana takes it from its environment, which docker-compose.yml sets to QuestDB's own.
    assertThat(q.path("secureJsonData").path("password").asText())
        .isEqualTo("${QUESTDB_READONLY_PASSWORD}");
    assertThat(read("../docker-compose.yml"))
        .contains("QDB_PG_READONLY_USER: " + EmbeddedQuestDb.READONLY_USER)
        .contains(
            "QDB_PG_READONLY_PASSWORD: ${QUESTDB_READONLY_PASSWORD:-"
                + EmbeddedQuestDb.READONLY_PASSWORD
                + "}")
        .contains(
            "QUESTDB_READONLY_PASSWORD: ${QUESTDB_READONLY_PASSWORD:-"
                + EmbeddedQuestDb.READONLY_PASSWORD
                + "}");
    assertThat(q.path("jsonData").path("database").asText()).isEqualTo("qdb");
    assertThat(q.path("jsonData").path("sslmode").asText()).isEqualTo("disable");
    assertThat(q.path("jsonData").path("timescaledb").asBoolean(true)).isFalse();
    assertThat(q.path("jsonData").path("postgresVersion").asInt()).isEqualTo(1200);
    assertThat(GrafanaDashboards.datasource("prometheus").path("url").asText())
        .isEqualTo("http://prometheus:9090");
  }

  @Test
  void theProviderLoadsTheMountedDashboardsFolder() {
    JsonNode providers = GrafanaDashboards.providers().path("providers");
    assertThat(providers).hasSize(1);
    assertThat(providers.get(0).path("type").asText()).isEqualTo("file");
    assertThat(providers.get(0).path("options").path("path").asText())
        .isEqualTo("/var/lib/grafana/dashboards");
  }

  @Test
  void everyDashboardHasRefreshTimeRangeAndSchemaVersion() {
    for (Dashboard d : DASHBOARDS) {
      assertThat(d.json().path("schemaVersion").isInt()).as(d.uid()).isTrue();
      assertThat(d.json().path("time").path("from").asText()).as(d.uid()).startsWith("now-");
      assertThat(d.json().path("time").path("to").asText()).as(d.uid()).isEqualTo("now");
      String refresh = d.json().path("refresh").asText();
      assertThat(GrafanaDashboards.duration(refresh).toSeconds())
          .as("refresh of %s", d.uid())
          .isGreaterThanOrEqualTo(10);
    }
  }

  @Test
  void panelIdsAreUniqueAndEveryPanelHasAGridPos() {
    for (Dashboard d : DASHBOARDS) {
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : d.panels()) {
        String where = d.uid() + "/" + p.path("title").asText();
        assertThat(p.path("id").isInt()).as("id of " + where).isTrue();
        assertThat(ids.add(p.path("id").asInt())).as("unique id of " + where).isTrue();
        JsonNode g = p.path("gridPos");
        for (String k : List.of("x", "y", "w", "h")) {
          assertThat(g.path(k).isInt()).as("gridPos.%s of %s", k, where).isTrue();
        }
        assertThat(g.path("w").asInt()).as(where).isBetween(1, 24);
        assertThat(g.path("x").asInt() + g.path("w").asInt()).as(where).isLessThanOrEqualTo(24);
        assertThat(g.path("h").asInt()).as(where).isPositive();
        assertThat(p.path("title").asText()).as("title of a panel in " + d.uid()).isNotBlank();
      }
    }
  }

  @Test
  void everyPanelHasAUnit() {
    for (Dashboard d : DASHBOARDS) {
      for (JsonNode p : d.panels()) {
        if (p.path("type").asText().equals("row")) {
          continue;
        }
        assertThat(p.path("fieldConfig").path("defaults").path("unit").asText())
            .as("fieldConfig.defaults.unit of %s/%s", d.uid(), p.path("title").asText())
            .isNotBlank();
      }
    }
  }

  @Test
  void everyDatasourceUidIsProvisioned() {
    Set<String> uids = GrafanaDashboards.provisionedDatasources().keySet();
    Map<String, String> types = GrafanaDashboards.provisionedDatasources();
    for (Dashboard d : DASHBOARDS) {
      List<JsonNode> refs = new ArrayList<>();
      for (JsonNode p : d.panels()) {
        if (p.has("datasource")) {
          refs.add(p.path("datasource"));
        }
        p.path("targets").forEach(t -> refs.add(t.path("datasource")));
      }
      d.variables().stream()
          .filter(v -> v.has("datasource"))
          .forEach(v -> refs.add(v.path("datasource")));
      for (JsonNode ref : refs) {
        String uid = ref.path("uid").asText();
        assertThat(uids).as("datasource uid in " + d.uid()).contains(uid);
        assertThat(ref.path("type").asText()).as("type of " + uid).isEqualTo(types.get(uid));
      }
      for (Query q : GrafanaDashboards.queries(d)) {
        assertThat(uids).as("datasource of " + q.key()).contains(q.datasourceUid());
      }
    }
  }

  @Test
  void everySqlPanelHasATimeFilterOrIsAnAllowedCurrentStatePanel() {
    Set<String> allowedSeen = new TreeSet<>();
    for (Dashboard d : DASHBOARDS) {
      for (Query q : GrafanaDashboards.queries(d)) {
        if (!GrafanaDashboards.isSql(q)) {
          continue;
        }
        String sql = q.sql();
        assertThat(sql).as("rawSql of " + q.key()).isNotBlank();
        if (GrafanaDashboards.NO_TIME_FILTER.containsKey(q.key())) {
          allowedSeen.add(q.key());
          assertThat(sql).as(q.key() + " (a current-state panel)").contains("LATEST ON");
        } else {
          assertThat(sql).as("time filter of " + q.key()).contains("$__timeFilter(ts)");
        }
      }
    }
    assertThat(allowedSeen)
        .as("allow-list entries that name a panel")
        .containsExactlyInAnyOrderElementsOf(GrafanaDashboards.NO_TIME_FILTER.keySet());
  }

  private static final Pattern SAMPLE_BY = Pattern.compile("SAMPLE BY\\s+(\\S+)");

  @Test
  void sqlBucketsWithIntervalMsInTicksAndNeverUsesIntervalOrTimeGroup() {
    for (Dashboard d : DASHBOARDS) {
      for (Query q : GrafanaDashboards.queries(d)) {
        if (!GrafanaDashboards.isSql(q)) {
          continue;
        }
        String sql = q.sql();
        // $__interval renders as e.g. 2000ms, which SAMPLE BY reads wrongly (ms is not millis).
        assertThat(sql).as(q.key()).doesNotContainPattern("\\$__interval(?!_ms)");
        assertThat(sql).as(q.key()).doesNotContain("${__interval}");
        assertThat(sql).as(q.key()).doesNotContain("$__timeGroup");
        Matcher m = SAMPLE_BY.matcher(sql);
        while (m.find()) {
          assertThat(m.group(1))
              .as("SAMPLE BY of " + q.key())
              .matches("\\$\\{__interval_ms}T|\\d+[smhd]");
        }
        assertThat(q.format()).as("format of " + q.key()).isIn("table", "time_series");
      }
    }
  }

  @Test
  void everyVariableAQueryUsesIsDefined() {
    for (Dashboard d : DASHBOARDS) {
      Set<String> defined = new TreeSet<>(GLOBALS);
      d.variables().forEach(v -> defined.add(v.path("name").asText()));
      List<String> texts = new ArrayList<>();
      GrafanaDashboards.queries(d).forEach(q -> texts.add(q.sql() != null ? q.sql() : q.expr()));
      d.variables()
          .forEach(
              v ->
                  texts.add(
                      v.path("query").isTextual()
                          ? v.path("query").asText()
                          : v.path("query").path("query").asText()));
      for (String t : texts) {
        assertThat(defined)
            .as("variables of " + d.uid() + " used in " + t)
            .containsAll(GrafanaDashboards.variablesUsed(t));
      }
    }
  }

  @Test
  void everyPromQlPanelNamesItsMetrics() {
    for (Dashboard d : DASHBOARDS) {
      GrafanaDashboards.promQl(d)
          .forEach(
              (where, expr) ->
                  assertThat(GrafanaDashboards.metricNames(expr))
                      .as(where + ": " + expr)
                      .isNotEmpty());
    }
  }

  @Test
  void theMacroExpansionIsGrafanasForPostgres() {
    var scope =
        new GrafanaDashboards.Scope(
            java.time.Instant.parse("2026-11-01T10:00:00Z"),
            java.time.Instant.parse("2026-11-01T11:00:00.120Z"),
            5000,
            Map.of(
                "patient", new GrafanaDashboards.VariableValue(List.of("p-1"), false),
                "kind", new GrafanaDashboards.VariableValue(List.of("A", "B'C"), true)));
    assertThat(
            GrafanaDashboards.expand(
                "SELECT * FROM t WHERE $__timeFilter(ts) AND owner_id = '$patient' AND kind IN ($kind)"
                    + " SAMPLE BY ${__interval_ms}T",
                scope))
        .isEqualTo(
            "SELECT * FROM t WHERE ts BETWEEN '2026-11-01T10:00:00Z' AND '2026-11-01T11:00:00.12Z'"
                + " AND owner_id = 'p-1' AND kind IN ('A','B''C') SAMPLE BY 5000T");
    assertThat(
            GrafanaDashboards.metricNames(
                "histogram_quantile(0.99, sum by (le, output) (rate(biometer_event_to_output_latency_seconds_bucket{instance=~\"$instance\"}[$__rate_interval])))"))
        .containsExactly("biometer_event_to_output_latency_seconds_bucket");
    assertThat(GrafanaDashboards.metricNames("sum by (job) (a_total - b_total) / 1000"))
        .containsExactly("a_total", "b_total");
    assertThat(GrafanaDashboards.metricNames("label_values(biometer_records_in_total, instance)"))
        .containsExactly("biometer_records_in_total");
  }

  /** Grafana's unit for each unit of the catalogue. */
  private static final Map<String, String> UNITS =
      Map.of(
          "%", "percent",
          "mmHg", "suffix: mmHg",
          "bpm", "suffix: bpm",
          "µV", "suffix: µV",
          "mV", "mvolt",
          "mmol/L", "conmmolL",
          "ohm", "ohm",
          "°C", "celsius");

  @Test
  void vitalsAndMetersShowTheCataloguesUnitsAndNormalRanges() {
    io.biometer.catalog.SensorCatalog catalogue = io.biometer.catalog.SensorCatalog.standard();
    for (String uid : List.of("biometer-patient-vitals", "biometer-smart-meters")) {
      Dashboard d = DASHBOARDS.stream().filter(x -> x.uid().equals(uid)).findFirst().orElseThrow();
      String domain = uid.contains("vitals") ? "BODY" : "SOIL";
      for (var type : catalogue.domain(domain)) {
        for (var ch : type.channels()) {
          List<JsonNode> panels = new ArrayList<>();
          for (JsonNode p : d.panels()) {
            String sql = p.path("targets").path(0).path("rawSql").asText("");
            if (sql.contains("channel = '" + ch.name() + "'")) {
              panels.add(p);
            }
          }
          assertThat(panels).as("panels of %s in %s", ch.name(), uid).isNotEmpty();
          List<Double> expected = new ArrayList<>();
          if (ch.normalMin() > ch.possibleMin()) {
            expected.add(ch.normalMin());
          }
          if (ch.normalMax() < ch.possibleMax()) {
            expected.add(ch.normalMax());
          }
          for (JsonNode p : panels) {
            String where = uid + "/" + p.path("title").asText();
            JsonNode defaults = p.path("fieldConfig").path("defaults");
            assertThat(defaults.path("unit").asText())
                .as("unit of " + where)
                .isEqualTo(UNITS.get(ch.unit()));
            List<Double> steps = new ArrayList<>();
            defaults
                .path("thresholds")
                .path("steps")
                .forEach(
                    st -> {
                      if (!st.path("value").isNull()) {
                        steps.add(st.path("value").asDouble());
                      }
                    });
            assertThat(steps).as("normal-range thresholds of " + where).isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void completenessPanelsReadThePipelinesLossLedgerNotAHardCodedCadence() {
    Dashboard d =
        DASHBOARDS.stream()
            .filter(x -> x.uid().equals("biometer-data-completeness"))
            .findFirst()
            .orElseThrow();
    List<String> sql =
        GrafanaDashboards.queries(d).stream()
            .map(Query::sql)
            .filter(q -> q != null && (q.contains("expected") || q.contains("missing")))
            .toList();
    assertThat(sql).hasSize(3);
    for (String q : sql) {
      assertThat(q).contains("FROM data_completeness").doesNotContain("WHEN sensor_type =");
    }
  }
}
