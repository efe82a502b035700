package io.biometer.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.biometer.Topics;
import io.biometer.streams.StreamsApp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the local run is doing, for people: readings in and clean per second, duplicates dropped,
 * active alerts, DLQ records, rows landed per QuestDB table, the connector's lag, and the commands
 * the gateway delivered to devices and they answered. On a terminal it is one line rewritten at
 * most once a second; otherwise a line every 10 s.
 */
final class StatusLine implements AutoCloseable {

  /** The tables the sink lands, in the order they are shown. */
  static final List<String> TABLES = List.of("readings", "alerts", "daily_aggregates");

  static final String ACTIVE_ALERTS_SQL =
      "SELECT * FROM (SELECT * FROM alerts LATEST ON ts PARTITION BY device_id, rule)"
          + " WHERE state = 'RAISED'";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One sample of every figure; -1 where a part is off or did not answer. */
  record Sample(
      long nanos,
      double in,
      double clean,
      double duplicates,
      double dlq,
      long connectDlq,
      long activeAlerts,
      Map<String, Long> rows,
      long lag,
      double commandsDelivered,
      double commandsAnswered) {}

  private final LocalStack stack;
  private final PrintStream out;
  private final boolean terminal;
  private final Admin admin;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "biometer-status");
            t.setDaemon(true);
            return t;
          });
  private final Map<List<String>, List<TopicPartition>> partitions = new HashMap<>();
  private Sample last;
  private boolean printed;

  StatusLine(LocalStack stack, PrintStream out, boolean terminal) {
    this.stack = stack;
    this.out = out;
    this.terminal = terminal;
    Map<String, Object> a = stack.adminClient();
    a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    this.admin = Admin.create(a);
  }

  /** Starts printing. */
  void start() {
    long period = terminal ? 1 : 10;
    last = sample();
    timer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.SECONDS);
  }

  private void tick() {
    try {
      Sample now = sample();
      String line = format(last, now);
      last = now;
      synchronized (out) {
        if (terminal) {
          out.print("\r\033[K" + line);
          printed = true;
        } else {
          out.println("status: " + line);
        }
        out.flush();
      }
    } catch (RuntimeException e) {
      // A figure that cannot be read this time is shown as '?' next time; never stop the line.
    }
  }

  Sample sample() {
    double in = -1;
    double clean = -1;
    double dups = -1;
    double dlq = -1;
    StreamsApp streams = stack.streams();
    if (streams != null) {
      MeterRegistry r = streams.metrics().registry();
      in = sum(r, "biometer.records.in", "step", "validation");
      clean = sum(r, "biometer.records.out", "step", "dedup");
      dups = sum(r, "biometer.duplicates.dropped", null, null);
      dlq = sum(r, "biometer.dlq.records", null, null);
    }
    long connectDlq = endOffsets(List.of(Topics.CONNECT_DLQ));
    Map<String, Long> rows = new LinkedHashMap<>();
    long active = -1;
    if (stack.questdb() != null) {
      JsonNode tables = sql("SELECT table_name, table_row_count FROM tables()");
      Map<String, Long> counts = new HashMap<>();
      if (tables != null) {
        for (JsonNode row : tables.path("dataset")) {
          counts.put(row.get(0).asText(), row.get(1).isNull() ? 0L : row.get(1).asLong());
        }
        for (String t : TABLES) {
          rows.put(t, counts.getOrDefault(t, 0L));
        }
        if (counts.containsKey("alerts")) {
          JsonNode a = sql("SELECT count() FROM (" + ACTIVE_ALERTS_SQL + ")");
          active = a == null ? -1 : a.path("dataset").path(0).path(0).asLong(-1);
        } else {
          active = 0;
        }
      }
    }
    double delivered = -1;
    double answered = -1;
    if (stack.ingress() != null) {
      var m = stack.ingress().metrics();
      delivered = m.commandCount("delivered");
      answered = m.commandCount("ok") + m.commandCount("failed");
    }
    return new Sample(
        System.nanoTime(),
        in,
        clean,
        dups,
        dlq,
        connectDlq,
        active,
        rows,
        connectorLag(),
        delivered,
        answered);
  }

  private static double sum(MeterRegistry r, String name, String tag, String value) {
    double total = 0;
    var search = tag == null ? r.find(name) : r.find(name).tag(tag, value);
    for (Counter c : search.counters()) {
      total += c.count();
    }
    return total;
  }

  private long endOffsets(List<String> topics) {
    try {
      long total = 0;
      for (long offset : offsets(partitions(topics), OffsetSpec.latest()).values()) {
        total += offset;
      }
      return total;
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * Records of the sink's topics not yet committed by the connector (transaction markers count).
   */
  private long connectorLag() {
    if (stack.connect() == null) {
      return -1;
    }
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets("connect-" + LocalStack.CONNECTOR)
              .partitionsToOffsetAndMetadata()
              .get(3, TimeUnit.SECONDS);
      List<TopicPartition> parts =
          partitions(List.of(Topics.READINGS_CLEAN, Topics.ALERTS, Topics.AGGREGATES_DAILY));
      Map<TopicPartition, Long> starts = offsets(parts, OffsetSpec.earliest());
      long lag = 0;
      for (var e : offsets(parts, OffsetSpec.latest()).entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        // Nothing committed yet: the connector starts where retention left the partition.
        long from = c != null ? c.offset() : starts.get(e.getKey());
        lag += Math.max(0, e.getValue() - from);
      }
      return lag;
    } catch (Exception e) {
      return -1;
    }
  }

  /** The partitions of {@code topics}, asked of the broker once per run (they are created so). */
  private List<TopicPartition> partitions(List<String> topics) throws Exception {
    List<TopicPartition> known = partitions.get(topics);
    if (known == null) {
      List<TopicPartition> found = new java.util.ArrayList<>();
      for (var d : admin.describeTopics(topics).allTopicNames().get(3, TimeUnit.SECONDS).values()) {
        d.partitions().forEach(p -> found.add(new TopicPartition(d.name(), p.partition())));
      }
      known = List.copyOf(found);
      partitions.put(topics, known);
    }
    return known;
  }

  private Map<TopicPartition, Long> offsets(List<TopicPartition> parts, OffsetSpec spec)
      throws Exception {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    parts.forEach(tp -> specs.put(tp, spec));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin
        .listOffsets(specs)
        .all()
        .get(3, TimeUnit.SECONDS)
        .forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private JsonNode sql(String query) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(
                  URI.create(
                      stack.questdb().httpUrl()
                          + "/exec?query="
                          + URLEncoder.encode(query, StandardCharsets.UTF_8)))
              .timeout(Duration.ofSeconds(2));
      String authorization = stack.questdb().httpAuthorization();
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(r.body());
      return body.has("error") ? null : body;
    } catch (Exception e) {
      return null;
    }
  }

  /** The status line for the interval from {@code a} to {@code b}. */
  static String format(Sample a, Sample b) {
    double secs = Math.max(1e-3, (b.nanos() - a.nanos()) / 1e9);
    StringBuilder s = new StringBuilder();
    s.append("in ").append(rate(a.in(), b.in(), secs)).append("/s");
    s.append("  clean ").append(rate(a.clean(), b.clean(), secs)).append("/s");
    s.append("  dups ").append(count(b.duplicates()));
    s.append("  alerts active ").append(count(b.activeAlerts()));
    s.append("  dlq ").append(count(b.dlq())).append(" + connect ").append(count(b.connectDlq()));
    if (!b.rows().isEmpty()) {
      s.append("  rows");
      b.rows().forEach((t, n) -> s.append(' ').append(t).append(' ').append(count(n)));
    }
    s.append("  lag ").append(count(b.lag()));
    if (b.commandsDelivered() >= 0) {
      s.append("  commands ")
          .append(count(b.commandsDelivered()))
          .append(" delivered ")
          .append(count(b.commandsAnswered()))
          .append(" answered");
    }
    return s.toString();
  }

  private static String rate(double from, double to, double secs) {
    if (from < 0 || to < 0) {
      return "-";
    }
    return String.format("%,.0f", Math.max(0, to - from) / secs);
  }

  private static String count(double v) {
    return v < 0 ? "-" : String.format("%,.0f", v);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (out) {
      if (printed) {
        out.println();
      }
    }
    admin.close(Duration.ofSeconds(2));
  }
}
