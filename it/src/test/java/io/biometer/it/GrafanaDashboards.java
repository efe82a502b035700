package io.biometer.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.biometer.devstack.*;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Grafana dashboards and provisioning in {@code grafana/}, read the way the tests need them:
 * panels flattened out of rows, each query with its datasource, and Grafana's variable and macro
 * expansion for the QuestDB (PostgreSQL) datasource.
 */
final class GrafanaDashboards {

  static final Path GRAFANA = Path.of("../grafana");
  static final Path DASHBOARDS = GRAFANA.resolve("dashboards");
  static final Path DATASOURCES = GRAFANA.resolve("provisioning/datasources/datasources.yml");
  static final Path PROVIDERS = GRAFANA.resolve("provisioning/dashboards/dashboards.yml");

  static final String SQL_TYPE = "grafana-postgresql-datasource";
  static final String PROMETHEUS_TYPE = "prometheus";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * SQL panels without {@code $__timeFilter}: each shows a current state (the latest transition per
   * device and rule, LATEST ON), which must not depend on the time range. Key: dashboard uid and
   * panel title.
   */
  static final Map<String, String> NO_TIME_FILTER =
      Map.of(
          "biometer-patient-vitals/Active alerts of the patient",
          "an alert raised before the time range and never cleared is still active",
          "biometer-patient-vitals/Sinks: current state",
          "a sink's state is its latest SINK_DOWN transition, however long ago",
          "biometer-alerts/Currently active",
          "an alert raised before the time range and never cleared is still active",
          "biometer-data-completeness/Silent devices",
          "a device silent since before the time range is still silent");

  /** SQL panels that may legitimately return no rows although the tables hold data. */
  static final Map<String, String> MAY_BE_EMPTY =
      Map.of(
          "biometer-smart-meters/Meters that missed today's upload",
          "empty whenever every meter uploaded since local midnight",
          "biometer-data-completeness/Silent devices",
          "empty while every device reports within its cadence",
          "biometer-alerts/Currently active",
          "empty at a moment when every alert raised has cleared (as the ready queries' test says)",
          "biometer-patient-vitals/Active alerts of the patient",
          "empty at a moment when none of the patient's alerts is raised");

  record Dashboard(Path file, JsonNode json) {
    String uid() {
      return json.path("uid").asText();
    }

    String title() {
      return json.path("title").asText();
    }

    /** Every panel, those inside rows included, rows themselves included. */
    List<JsonNode> panels() {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode p : json.path("panels")) {
        out.add(p);
        p.path("panels").forEach(out::add);
      }
      return out;
    }

    List<JsonNode> variables() {
      List<JsonNode> out = new ArrayList<>();
      json.path("templating").path("list").forEach(out::add);
      return out;
    }
  }

  /** One query of one panel. */
  record Query(Dashboard dashboard, JsonNode panel, JsonNode target, String datasourceUid) {
    String key() {
      return dashboard.uid() + "/" + panel.path("title").asText();
    }

    String title() {
      return panel.path("title").asText();
    }

    String refId() {
      return target.path("refId").asText();
    }

    String sql() {
      return target.path("rawSql").asText(null);
    }

    String expr() {
      return target.path("expr").asText(null);
    }

    String format() {
      return target.path("format").asText("time_series");
    }

    /** The panel's minimum interval ({@code interval}), or null. */
    Duration minInterval() {
      String i = panel.path("interval").asText("");
      return i.isEmpty() ? null : duration(i);
    }
  }

  private GrafanaDashboards() {}

  static List<Dashboard> load() {
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      List<Dashboard> out = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(new Dashboard(f, JSON.readTree(f.toFile())));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** uid to type of every provisioned datasource. */
  static Map<String, String> provisionedDatasources() {
    try {
      JsonNode yml = new YAMLMapper().readTree(DATASOURCES.toFile());
      Map<String, String> out = new LinkedHashMap<>();
      yml.path("datasources")
          .forEach(d -> out.put(d.path("uid").asText(), d.path("type").asText()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode datasource(String uid) {
    try {
      JsonNode yml = new YAMLMapper().readTree(DATASOURCES.toFile());
      for (JsonNode d : yml.path("datasources")) {
        if (d.path("uid").asText().equals(uid)) {
          return d;
        }
      }
      throw new IllegalArgumentException("no datasource " + uid);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode providers() {
    try {
      return new YAMLMapper().readTree(PROVIDERS.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every query of every panel of {@code d}, with the datasource uid it runs on. */
  static List<Query> queries(Dashboard d) {
    List<Query> out = new ArrayList<>();
    for (JsonNode p : d.panels()) {
      for (JsonNode t : p.path("targets")) {
        String uid =
            t.path("datasource").path("uid").asText(p.path("datasource").path("uid").asText());
        out.add(new Query(d, p, t, uid));
      }
    }
    return out;
  }

  static boolean isSql(Query q) {
    return "questdb".equals(q.datasourceUid()) || q.sql() != null;
  }

  // ---------------------------------------------------------------------------------------------
  // Grafana's expansion of a SQL query: template variables in the frontend, then the backend's
  // macros (grafana pkg/tsdb/grafana-postgresql-datasource/macros.go).

  private static final Pattern VARIABLE =
      Pattern.compile(
          "\\$\\{([A-Za-z0-9_]+)(?::[A-Za-z]+)?}|\\$([A-Za-z0-9_]+)|\\[\\[([A-Za-z0-9_]+)]]");

  /** The names of the template variables {@code text} refers to ($x, ${x}, [[x]]). */
  static Set<String> variablesUsed(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      out.add(name);
    }
    return out;
  }

  /**
   * A template variable's value as the PostgreSQL datasource interpolates it: a single-value
   * variable as its raw text; a multi-value or include-All variable as its values, each in single
   * quotes (quotes doubled), joined by commas.
   */
  record VariableValue(List<String> values, boolean quoted) {
    String render() {
      if (!quoted) {
        return values.get(0);
      }
      List<String> q = new ArrayList<>();
      for (String v : values) {
        q.add("'" + v.replace("'", "''") + "'");
      }
      return String.join(",", q);
    }
  }

  /** Grafana's time range, interval and variables for one expansion. */
  record Scope(Instant from, Instant to, long intervalMs, Map<String, VariableValue> variables) {}

  /** Grafana's RFC3339Nano (Go's time.RFC3339Nano in UTC: trailing zeros of the fraction cut). */
  static String rfc3339Nano(Instant t) {
    String base =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC).format(t);
    int nanos = t.getNano();
    if (nanos == 0) {
      return base + "Z";
    }
    String frac = String.format("%09d", nanos).replaceAll("0+$", "");
    return base + "." + frac + "Z";
  }

  private static final Pattern TIME_FILTER = Pattern.compile("\\$__timeFilter\\(([^)]*)\\)");
  private static final Pattern TIME_FROM = Pattern.compile("\\$__timeFrom\\(\\)");
  private static final Pattern TIME_TO = Pattern.compile("\\$__timeTo\\(\\)");

  /** The SQL Grafana sends to QuestDB for {@code sql} in {@code scope}. */
  static String expand(String sql, Scope scope) {
    // 1. The frontend: global and dashboard variables.
    Map<String, String> globals = new LinkedHashMap<>();
    globals.put("__interval_ms", Long.toString(scope.intervalMs()));
    globals.put("__interval", interval(scope.intervalMs()));
    Matcher m = VARIABLE.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value;
      if (name.startsWith("__timeFilter")
          || name.startsWith("__timeFrom")
          || name.startsWith("__timeTo")) {
        value = m.group(); // a macro: the backend's
      } else if (globals.containsKey(name)) {
        value = globals.get(name);
      } else if (scope.variables().containsKey(name)) {
        value = scope.variables().get(name).render();
      } else {
        throw new IllegalArgumentException("no value for variable $" + name + " in " + sql);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    // 2. The backend: macros.
    String from = rfc3339Nano(scope.from());
    String to = rfc3339Nano(scope.to());
    String s = out.toString();
    s =
        TIME_FILTER
            .matcher(s)
            .replaceAll(
                r ->
                    Matcher.quoteReplacement(
                        r.group(1).trim() + " BETWEEN '" + from + "' AND '" + to + "'"));
    s = TIME_FROM.matcher(s).replaceAll(Matcher.quoteReplacement("'" + from + "'"));
    s = TIME_TO.matcher(s).replaceAll(Matcher.quoteReplacement("'" + to + "'"));
    return s;
  }

  /** Grafana's $__interval text for an interval in ms (e.g. 500ms, 2s, 5m, 1h). */
  static String interval(long ms) {
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  private static final long[] NICE = {
    10,
    20,
    50,
    100,
    200,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    20_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_200_000,
    1_800_000,
    3_600_000,
    7_200_000,
    10_800_000,
    21_600_000,
    43_200_000,
    86_400_000,
    604_800_000
  };

  /**
   * The interval Grafana picks for a panel about {@code points} pixels wide over {@code range}: the
   * range divided by the points, rounded up to a round interval, at least the panel's (or the
   * datasource's) minimum interval.
   */
  static long intervalMs(Duration range, int points, Duration minInterval) {
    long raw = Math.max(1, range.toMillis() / points);
    long nice = NICE[NICE.length - 1];
    for (long n : NICE) {
      if (n >= raw) {
        nice = n;
        break;
      }
    }
    return minInterval == null ? nice : Math.max(nice, minInterval.toMillis());
  }

  /** A Grafana duration such as 1s, 30s, 5m, 1h, 1d. */
  static Duration duration(String text) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d|w)").matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a Grafana duration: " + text);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofDays(7 * n);
    };
  }

  // ---------------------------------------------------------------------------------------------
  // PromQL: the metric names an expression selects.

  private static final Set<String> PROMQL_WORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "atan2",
          "inf",
          "nan");

  /** The metric names in a PromQL expression (or a label_values(metric, label) query). */
  static Set<String> metricNames(String expr) {
    String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\""); // label values
    s = s.replaceAll("\\{[^}]*}", " "); // selectors
    s = s.replaceAll("\\[[^]]*]", " "); // ranges
    s = s.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    s = s.replaceAll("\\$[A-Za-z0-9_]+|\\$\\{[^}]*}", " ");
    Set<String> out = new LinkedHashSet<>();
    Matcher m = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*").matcher(s);
    while (m.find()) {
      String word = m.group();
      int after = m.end();
      while (after < s.length() && Character.isWhitespace(s.charAt(after))) {
        after++;
      }
      boolean call = after < s.length() && s.charAt(after) == '(';
      boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
      if (!call && !number && !PROMQL_WORDS.contains(word.toLowerCase())) {
        out.add(word);
      }
    }
    if (expr.trim().startsWith("label_values(")) {
      String inner = expr.trim().substring("label_values(".length());
      out.clear();
      out.addAll(metricNames(inner.substring(0, inner.indexOf(','))));
    }
    return out;
  }

  /** The sample names in a Prometheus text exposition. */
  static Set<String> sampleNames(String exposition) {
    Set<String> out = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      out.add(line.substring(0, end));
    }
    return out;
  }

  /** Every PromQL expression of a dashboard, variable queries included, with where it is. */
  static Map<String, String> promQl(Dashboard d) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Query q : queries(d)) {
      if (q.expr() != null) {
        out.put(q.key() + " [" + q.refId() + "]", q.expr());
      }
    }
    for (JsonNode v : d.variables()) {
      if (PROMETHEUS_TYPE.equals(v.path("datasource").path("type").asText())) {
        JsonNode query = v.path("query");
        out.put(
            d.uid() + "/$" + v.path("name").asText(),
            query.isTextual() ? query.asText() : query.path("query").asText());
      }
    }
    return out;
  }
}
