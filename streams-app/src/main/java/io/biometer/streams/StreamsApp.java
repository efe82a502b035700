package io.biometer.streams;

import io.biometer.Topics;
import io.biometer.config.ConfigArgs;
import io.biometer.streams.internal.MetricsServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runnable streams app: loads config, builds {@link TelemetryTopology}, installs the DLQ
 * handlers, starts Kafka Streams and the metrics server, and stops cleanly on shutdown. Any number
 * of instances with one {@code application.id} share the partitions.
 */
public final class StreamsApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);

  private final KafkaStreams streams;
  private final MetricsServer server;
  private final PipelineMetrics metrics;
  private final KafkaStreamsMetrics streamsMetrics;
  private final JvmGcMetrics gcMetrics;

  private StreamsApp(StreamsAppConfig config, KafkaClientSupplier clients) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The JVM's heap and GC pauses, for the Pipeline health dashboard (jvm_memory_used_bytes,
    // jvm_gc_pause_seconds).
    new JvmMemoryMetrics().bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    this.metrics = new PipelineMetrics(registry, config.metricsPerRelay());
    Topology topology =
        TelemetryTopology.build(
            config, new TelemetrySerdes(config.registryUrl(), config.kafkaClient()), metrics);
    Properties props = properties(config, metrics);
    this.streams =
        clients == null
            ? new KafkaStreams(topology, props)
            : new KafkaStreams(topology, props, clients);
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("stream thread failed; replacing it", e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    try {
      this.server =
          new MetricsServer(
              config.metricsHost(),
              config.metricsPort(),
              registry::scrape,
              () -> streams.state().name(),
              config.metricsSecurity());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve metrics on "
              + config.metricsHost()
              + ":"
              + config.metricsPort()
              + " ("
              + e.getMessage()
              + "); set metrics.host and metrics.port",
          e);
    }
    streams.start();
  }

  /** Starts an instance; it runs until {@link #close()}. */
  public static StreamsApp start(StreamsAppConfig config) {
    return new StreamsApp(config, null);
  }

  /**
   * Starts an instance whose Kafka clients come from {@code clients} (tests inject faults into
   * them; an embedding application may wrap them); it runs until {@link #close()}.
   */
  public static StreamsApp start(StreamsAppConfig config, KafkaClientSupplier clients) {
    return new StreamsApp(config, clients);
  }

  /**
   * The Kafka Streams properties of the app: the config's, plus the DLQ handlers, the DLQ topic,
   * event-time extraction and explicit naming of every internal resource.
   */
  public static Properties properties(StreamsAppConfig config, PipelineMetrics metrics) {
    Properties p = new Properties();
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DLQ);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DlqDeserializationHandler.class);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DlqProcessingHandler.class);
    p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DlqProductionHandler.class);
    // The device table is a global table: its processing errors go to the handler too (Kafka
    // Streams warns at start when this is off, and turns it on by default from 5.0).
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    p.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, EventTimeExtractor.class);
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // Body and meter readings share a task but need no ordering between them: never idle waiting
    // for the (mostly empty) meter partitions, which would add latency to every alert.
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
    // Kafka Streams lingers 100 ms before it sends a batch: under at-least-once every alert would
    // wait up to that long. 5 ms keeps batching at load; kafka.producer.linger.ms sets it.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    if (config.exactlyOnce()) {
      // Exactly-once commits every 100 ms, and no live device reports more than once a second
      // (the catalogue's cadences), so the record cache coalesces next to nothing: it only moves
      // every store write into the commit, which the transaction then waits for (commit time
      // 15 ms on average with it, 3 ms without; see docs/benchmarks.md). Set
      // kafka.statestore.cache.max.bytes to have it back.
      p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
    }
    p.putAll(config.streamsProperties());
    p.put(PipelineMetrics.CONFIG_KEY, metrics);
    return p;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public KafkaStreams streams() {
    return streams;
  }

  public PipelineMetrics metrics() {
    return metrics;
  }

  /** Port of /metrics and /health. */
  /** {@code https} when /metrics and /health serve TLS, else {@code http}. */
  public String metricsScheme() {
    return server.scheme();
  }

  public int metricsPort() {
    return server.port();
  }

  /** The address /metrics and /health listen on ({@code metrics.host}). */
  public java.net.InetSocketAddress metricsAddress() {
    return server.address();
  }

  @Override
  public void close() {
    // Leave the group: without static membership a restarted instance joins as a new member, and
    // the partitions of one that stayed would wait for its session to time out.
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(30)));
    streamsMetrics.close();
    gcMetrics.close();
    server.close();
  }

  public static void main(String[] args) {
    StreamsAppConfig config;
    try {
      ConfigArgs parsed = ConfigArgs.parse(args, null);
      if (parsed.help()) {
        System.out.println("usage: biometer streams [--config FILE] [key=value ...]");
        System.out.println(
            "keys: docs/configuration.md; environment: " + StreamsAppConfig.ENV_PREFIX + "<KEY>");
        return;
      }
      config = StreamsAppConfig.load(parsed.file(), System.getenv(), parsed.values());
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("biometer-streams: " + e.getMessage());
      System.exit(2);
      return;
    }
    StreamsApp app = start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "biometer-streams-shutdown"));
    System.out.println(
        "biometer-streams: running; metrics and health on port " + app.metricsPort());
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
