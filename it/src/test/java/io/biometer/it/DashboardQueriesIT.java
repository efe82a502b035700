package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.biometer.devstack.*;
import io.biometer.it.GrafanaDashboards.Dashboard;
import io.biometer.it.GrafanaDashboards.Query;
import io.biometer.it.GrafanaDashboards.Scope;
import io.biometer.it.GrafanaDashboards.VariableValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every dashboard query against the real pipeline: the local stack (simulator, streams app, Connect
 * with the QuestDB sink, QuestDB) runs until readings, alerts, sink alerts, meter uploads and daily
 * aggregates have landed. Then every SQL panel, its template variables and Grafana's macros
 * expanded as Grafana does, runs over PG wire as QuestDB's read-only user grafana, the login of
 * Grafana's datasource; and every metric a PromQL panel names must be in the /metrics of the
 * streams app or of QuestDB. The output lists each panel with its result, also written to
 * target/dashboard-queries.txt.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardQueriesIT {

  @TempDir static Path data;
  private static LocalStack stack;
  private static final List<String> report = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    // A simulated day per wall minute: sinks sleep and wake, meters upload their day's batch.
    stack = LocalStack.start(new DevStackConfig(StackFixture.pipelineValues(data, 3, 1440, 7)));
    awaitData();
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
    Files.write(Path.of("target/dashboard-queries.txt"), report);
  }

  /** Waits (as admin) until every table holds the kinds of rows the dashboards show. */
  private static void awaitData() throws Exception {
    Map<String, String> wanted = new LinkedHashMap<>();
    wanted.put("body readings", "SELECT count() FROM readings WHERE relay_kind = 'SINK'");
    wanted.put("meter uploads", "SELECT count() FROM readings WHERE relay_kind = 'UPLOAD_BATCH'");
    wanted.put("value alerts cleared", "SELECT count() FROM alerts WHERE state = 'CLEARED'");
    wanted.put("sink alerts", "SELECT count() FROM alerts WHERE kind = 'SINK_DOWN'");
    wanted.put(
        "meter daily aggregates",
        "SELECT count() FROM daily_aggregates WHERE sensor_type = 'SOIL_METER'");
    wanted.put("loss ledger", "SELECT count() FROM data_completeness WHERE received > 0");
    try (Connection c = admin()) {
      Map<String, Long> counts =
          Poll.await(
              Duration.ofSeconds(300),
              Duration.ofSeconds(2),
              "the pipeline landed every kind of row",
              () -> {
                Map<String, Long> now = new LinkedHashMap<>();
                for (var e : wanted.entrySet()) {
                  now.put(e.getKey(), countIfAny(c, e.getValue()));
                }
                return now;
              },
              now -> now.values().stream().allMatch(n -> n > 0));
      say("data landed: " + counts);
    }
  }

  private static long countIfAny(Connection c, String sql) throws SQLException {
    return EmbeddedQuestDb.countIfExists(c, sql);
  }

  private static Connection admin() throws SQLException {
    return DriverManager.getConnection(stack.questdb().jdbcUrl(), "admin", "quest");
  }

  /** A connection as Grafana's datasource has it: the read-only user of datasources.yml. */
  private static Connection grafana() throws SQLException {
    JsonNode ds = GrafanaDashboards.datasource("questdb");
    return DriverManager.getConnection(
        stack.questdb().jdbcUrl(),
        ds.path("user").asText(),
        // Grafana expands ${VAR} from its environment; compose's default is the local run's.
        ds.path("secureJsonData")
            .path("password")
            .asText()
            .replace("${QUESTDB_READONLY_PASSWORD}", EmbeddedQuestDb.READONLY_PASSWORD));
  }

  @Test
  @Order(1)
  void grafanasUserCanReadButNotWrite() throws Exception {
    try (Connection c = grafana();
        Statement s = c.createStatement()) {
      assertThat(countIfAny(c, "SELECT count() FROM readings")).isPositive();
      assertThatThrownBy(
              () ->
                  s.execute(
                      "INSERT INTO alerts (ts, device_id, rule, state) VALUES (now(), 'x', 'r', 'RAISED')"))
          .hasMessageContaining("permission denied");
      assertThatThrownBy(() -> s.execute("CREATE TABLE grafana_was_here (ts TIMESTAMP)"))
          .hasMessageContaining("permission denied");
      assertThatThrownBy(() -> s.execute("DROP TABLE readings"))
          .hasMessageContaining("permission denied");
    }
    say("read-only user grafana: SELECT works; INSERT, CREATE TABLE and DROP TABLE are refused");
  }

  @Test
  @Order(1)
  void theQueriesUpPrintsRunAsTheReadOnlyUser() throws Exception {
    List<String> sql =
        DevStackApp.readyQueries(stack).stream()
            .map(String::trim)
            .filter(l -> l.startsWith("SELECT"))
            .map(l -> l.substring(0, l.length() - 1))
            .toList();
    assertThat(sql).hasSize(3);
    try (Connection c = grafana();
        Statement s = c.createStatement()) {
      for (String q : sql) {
        try (ResultSet rs = s.executeQuery(q)) {
          // Active alerts may rightly be none at this moment; vitals and the ledger are there.
          boolean rows = rs.next();
          if (!q.contains("FROM alerts")) {
            assertThat(rows).as("rows from %s", q).isTrue();
          }
        }
      }
    }
    say("the " + sql.size() + " queries ./biometer up prints run as the read-only user");
  }

  @Test
  @Order(2)
  void everySqlPanelRunsAsTheReadOnlyUserAndReturnsRowsWhereDataExists() throws Exception {
    Instant first;
    Instant lastReading;
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      first = instant(s, "SELECT min(ts) FROM daily_aggregates");
      first = min(first, instant(s, "SELECT min(ts) FROM readings"));
      first = min(first, instant(s, "SELECT min(ts) FROM alerts"));
      lastReading = instant(s, "SELECT max(ts) FROM readings");
    }
    // The whole run (the simulator starts 30 days back at this speed), to the wall clock; and
    // the last hour of simulated readings, for the small intervals of a short range.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Scope wide = scope(first.minus(Duration.ofHours(1)), now.plusSeconds(60));
    Scope narrow = scope(lastReading.minus(Duration.ofHours(1)), lastReading.plusSeconds(1));
    List<String> failures = new ArrayList<>();
    try (Connection c = grafana()) {
      for (Dashboard d : GrafanaDashboards.load()) {
        List<Query> sql =
            GrafanaDashboards.queries(d).stream().filter(GrafanaDashboards::isSql).toList();
        if (sql.isEmpty()) {
          continue;
        }
        say("");
        say("== " + d.title() + " (" + d.file().getFileName() + ")");
        Variables vars = variables(c, d, wide, failures);
        for (Query q : sql) {
          run(c, q, vars, wide, true, failures);
          run(c, q, vars, narrow, false, failures);
        }
      }
    }
    assertThat(failures).as("dashboard queries that failed").isEmpty();
  }

  @Test
  @Order(3)
  void everyMetricAPromQlPanelUsesIsServed() throws Exception {
    Set<String> needed = new java.util.TreeSet<>();
    for (Dashboard d : GrafanaDashboards.load()) {
      GrafanaDashboards.promQl(d)
          .values()
          .forEach(e -> needed.addAll(GrafanaDashboards.metricNames(e)));
    }
    // Micrometer adds Kafka client metrics it finds once a minute (a partition's lag only after
    // its first fetch): wait up to two rounds, as Prometheus would see them a scrape later.
    List<Set<String>> served =
        Poll.latest(
            Duration.ofSeconds(130),
            Duration.ofSeconds(5),
            () ->
                List.of(
                    GrafanaDashboards.sampleNames(
                        scrape("http://127.0.0.1:" + stack.streams().metricsPort() + "/metrics")),
                    GrafanaDashboards.sampleNames(scrape(stack.questdb().metricsUrl())),
                    GrafanaDashboards.sampleNames(scrape(stack.connect().metricsUrl()))),
            now -> {
              Set<String> absent = new java.util.TreeSet<>(needed);
              now.forEach(absent::removeAll);
              return absent.isEmpty();
            });
    Set<String> fromStreams = served.get(0);
    Set<String> fromQuestDb = served.get(1);
    Set<String> fromConnect = served.get(2);
    List<String> missing = new ArrayList<>();
    for (Dashboard d : GrafanaDashboards.load()) {
      Map<String, String> exprs = GrafanaDashboards.promQl(d);
      if (exprs.isEmpty()) {
        continue;
      }
      say("");
      say("== " + d.title() + ": PromQL metrics");
      for (var e : exprs.entrySet()) {
        List<String> where = new ArrayList<>();
        for (String metric : GrafanaDashboards.metricNames(e.getValue())) {
          if (fromStreams.contains(metric)) {
            where.add(metric + " (streams app)");
          } else if (fromQuestDb.contains(metric)) {
            where.add(metric + " (QuestDB)");
          } else if (fromConnect.contains(metric)) {
            where.add(metric + " (Connect worker)");
          } else {
            where.add(metric + " (MISSING)");
            missing.add(e.getKey() + ": " + metric);
          }
        }
        say("  " + e.getKey().substring(d.uid().length() + 1) + ": " + String.join(", ", where));
      }
    }
    assertThat(missing).as("metrics named by PromQL panels but served by nobody").isEmpty();
  }

  @Test
  @Order(4)
  void everyPromQlExpressionEvaluatesOnARealPrometheus() throws Exception {
    Path bin = onPath("prometheus");
    Assumptions.assumeTrue(
        bin != null,
        "SKIPPED: Debian's prometheus package is not installed (no prometheus on PATH), so the"
            + " PromQL expressions were not evaluated; their metric names were checked above");
    Path dir = Files.createDirectories(data.resolve("prometheus"));
    int port = StackFixture.freePort();
    Files.writeString(
        dir.resolve("prometheus.yml"),
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 2s",
            "scrape_configs:",
            "  - job_name: streams-app",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + stack.streams().metricsPort() + "']",
            "  - job_name: questdb",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + stack.config().questdbHttpMinPort() + "']",
            "  - job_name: connect",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + stack.config().connectMetricsPort() + "']",
            ""));
    Process prometheus =
        new ProcessBuilder(
                bin.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    String api = "http://127.0.0.1:" + port;
    List<String> failures = new ArrayList<>();
    try {
      Poll.await(
          Duration.ofSeconds(60),
          Duration.ofMillis(500),
          "Prometheus ready",
          () ->
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create(api + "/-/ready")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode(),
          status -> status == 200);
      com.fasterxml.jackson.databind.ObjectMapper json =
          new com.fasterxml.jackson.databind.ObjectMapper();
      Map<String, JsonNode> results = new java.util.TreeMap<>();
      // rate() needs two scrapes in its window: poll until every expression has a series; those
      // that still have none at the deadline are reported one by one below.
      try {
        Poll.until(
            Duration.ofSeconds(90),
            "every PromQL panel has a series on Prometheus",
            () -> {
              try {
                results.clear();
                for (Dashboard d : GrafanaDashboards.load()) {
                  for (var e : GrafanaDashboards.promQl(d).entrySet()) {
                    if (e.getKey().contains("/$")) {
                      continue; // a variable's label_values(): a Grafana function, not PromQL
                    }
                    String expr =
                        e.getValue()
                            .replace("$__rate_interval", "30s")
                            .replace("${instance}", ".*")
                            .replace("$instance", ".*");
                    results.put(
                        e.getKey(),
                        json.readTree(
                            scrape(
                                api
                                    + "/api/v1/query?query="
                                    + java.net.URLEncoder.encode(
                                        expr, java.nio.charset.StandardCharsets.UTF_8))));
                  }
                }
                return results.values().stream()
                    .allMatch(
                        r ->
                            r.path("status").asText().equals("success")
                                && r.path("data").path("result").size() > 0);
              } catch (Exception e) {
                return false;
              }
            });
      } catch (AssertionError notEvery) {
        // see the report
      }
      say("");
      say("== PromQL evaluated on Prometheus " + bin);
      results.forEach(
          (key, r) -> {
            int series = r.path("data").path("result").size();
            say("  " + key + ": " + r.path("status").asText() + ", " + series + " series");
            if (!r.path("status").asText().equals("success") || series == 0) {
              failures.add(key + ": " + r);
            }
          });
    } finally {
      prometheus.destroy();
      prometheus.waitFor();
    }
    assertThat(failures).as("PromQL panels without a result").isEmpty();
  }

  private static Path onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static String scrape(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  // ---------------------------------------------------------------------------------------------

  private static Scope scope(Instant from, Instant to) {
    return new Scope(from, to, 0, Map.of());
  }

  /** A dashboard's variables: multi-value ones set to All, single-value ones with candidates. */
  record Variables(Map<String, VariableValue> fixed, String single, List<String> candidates) {
    Map<String, VariableValue> with(String candidate) {
      Map<String, VariableValue> v = new LinkedHashMap<>(fixed);
      if (single != null) {
        v.put(single, new VariableValue(List.of(candidate), false));
      }
      return v;
    }
  }

  private static Variables variables(Connection c, Dashboard d, Scope range, List<String> failures)
      throws SQLException {
    Map<String, VariableValue> fixed = new LinkedHashMap<>();
    String single = null;
    List<String> candidates = List.of("");
    for (JsonNode v : d.variables()) {
      String name = v.path("name").asText();
      String type = v.path("type").asText();
      if (type.equals("textbox") || type.equals("constant")) {
        fixed.put(name, new VariableValue(List.of(v.path("query").asText()), false));
        say("  $" + name + " = " + v.path("query").asText() + " (" + type + ")");
        continue;
      }
      if (!GrafanaDashboards.SQL_TYPE.equals(v.path("datasource").path("type").asText())) {
        continue;
      }
      String sql =
          GrafanaDashboards.expand(
              v.path("query").asText(),
              new Scope(range.from(), range.to(), 1000, new LinkedHashMap<>(fixed)));
      List<String> values = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          values.add(rs.getString(1));
        }
      } catch (SQLException e) {
        failures.add(d.uid() + "/$" + name + ": " + e.getMessage() + "\n" + sql);
        say("  $" + name + ": ERROR " + e.getMessage());
        values.add("none");
      }
      if (values.isEmpty()) {
        failures.add(d.uid() + "/$" + name + ": no values\n" + sql);
        values.add("none");
      }
      boolean multi = v.path("multi").asBoolean() || v.path("includeAll").asBoolean();
      if (multi) {
        fixed.put(name, new VariableValue(values, true));
        say("  $" + name + " = All: " + values);
      } else {
        single = name;
        candidates = values;
        say("  $" + name + " = one of " + values);
      }
    }
    return new Variables(fixed, single, candidates);
  }

  private static void run(
      Connection c, Query q, Variables vars, Scope range, boolean wide, List<String> failures) {
    Duration min = q.minInterval() != null ? q.minInterval() : Duration.ofSeconds(1);
    long interval =
        GrafanaDashboards.intervalMs(Duration.between(range.from(), range.to()), 1000, min);
    String label =
        "  "
            + q.title()
            + (q.target().path("refId").asText().equals("A") ? "" : " [" + q.refId() + "]");
    String lastSql = null;
    String lastResult = null;
    for (String candidate : vars.candidates().subList(0, Math.min(5, vars.candidates().size()))) {
      Scope scope = new Scope(range.from(), range.to(), interval, vars.with(candidate));
      String sql = GrafanaDashboards.expand(q.sql(), scope);
      lastSql = sql;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        Result r = read(rs, q.format());
        if (r.problem != null) {
          failures.add(q.key() + " [" + q.refId() + "]: " + r.problem + "\n" + sql);
        }
        String with = vars.single() == null ? "" : " ($" + vars.single() + "=" + candidate + ")";
        lastResult =
            (wide ? "" : "    narrow range, ")
                + r.rows
                + " rows"
                + with
                + (r.rows == 0 ? "" : "; first: " + r.first);
        if (r.rows > 0) {
          break;
        }
      } catch (SQLException e) {
        failures.add(q.key() + " [" + q.refId() + "]: " + e.getMessage() + "\n" + sql);
        say(label + ": ERROR " + e.getMessage());
        return;
      }
    }
    if (wide) {
      say(label + " (" + q.format() + ", interval " + interval + " ms): " + lastResult);
      if (lastResult.startsWith("0 rows") && !GrafanaDashboards.MAY_BE_EMPTY.containsKey(q.key())) {
        failures.add(
            q.key() + " [" + q.refId() + "]: no rows although the tables hold data\n" + lastSql);
      }
    } else {
      say(lastResult);
    }
  }

  private record Result(int rows, String first, String problem) {}

  /**
   * Reads a result; a time_series result must lead with an ascending time column, as Grafana needs.
   */
  private static Result read(ResultSet rs, String format) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    String problem = null;
    if (format.equals("time_series")) {
      int type = md.getColumnType(1);
      if (!md.getColumnLabel(1).equals("time")
          || (type != Types.TIMESTAMP && type != Types.TIMESTAMP_WITH_TIMEZONE)) {
        problem = "a time_series query must return the timestamp column time first";
      }
    }
    int rows = 0;
    String first = null;
    Timestamp previous = null;
    while (rs.next()) {
      rows++;
      if (first == null) {
        List<String> cells = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          cells.add(md.getColumnLabel(i) + "=" + rs.getString(i));
        }
        first = String.join(", ", cells);
        if (first.length() > 240) {
          first = first.substring(0, 240) + "...";
        }
      }
      if (format.equals("time_series") && problem == null) {
        Timestamp t = rs.getTimestamp(1);
        if (previous != null && t != null && t.before(previous)) {
          problem = "time_series rows not in ascending time (" + previous + " then " + t + ")";
        }
        previous = t;
      }
    }
    return new Result(rows, first, problem);
  }

  private static Instant instant(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      java.time.LocalDateTime t = rs.getObject(1, java.time.LocalDateTime.class);
      return t == null ? Instant.now() : t.toInstant(java.time.ZoneOffset.UTC);
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static void say(String line) {
    System.out.println(line);
    report.add(line);
  }
}
