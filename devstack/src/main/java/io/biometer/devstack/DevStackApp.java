package io.biometer.devstack;

import io.biometer.config.ConfigArgs;
import io.biometer.simulator.SimulatorConfig;
import io.biometer.streams.StreamsAppConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The one-command local run: starts the {@link LocalStack}, prints where each part listens, and
 * runs until Ctrl-C (or SIGTERM), when every part is stopped cleanly.
 *
 * <p>Usage: {@code DevStackApp [--config FILE] [key=value ...]}; {@code --help} lists the keys.
 */
public final class DevStackApp {

  private DevStackApp() {}

  /** The loggers {@code kafka.log.level} sets: the broker's and the Kafka clients'. */
  static final java.util.List<String> KAFKA_LOGGERS =
      java.util.List.of("org.apache.kafka", "kafka", "state.change.logger");

  /** Sets the level of {@link #KAFKA_LOGGERS} (logback), which logback.xml starts at ERROR. */
  static void applyKafkaLogLevel(String level) {
    for (String name : KAFKA_LOGGERS) {
      if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
        l.setLevel(ch.qos.logback.classic.Level.toLevel(level));
      }
    }
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    long t0 = System.nanoTime();
    DevStackConfig config;
    try {
      config = parse(args, out);
      if (config == null) {
        return 0;
      }
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("biometer: " + e.getMessage());
      err.println("biometer: run with --help to list the configuration keys");
      return 2;
    }
    applyKafkaLogLevel(config.kafkaLogLevel());
    out.println("biometer: starting the local stack in " + config.dataDir() + " ...");
    LocalStack stack;
    try {
      stack = LocalStack.start(config);
    } catch (RuntimeException e) {
      err.println("biometer: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    StatusLine status = new StatusLine(stack, out, System.console() != null);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  status.close();
                  out.println("biometer: stopping ...");
                  stack.close();
                  out.println("biometer: stopped cleanly");
                  stopped.countDown();
                },
                "biometer-shutdown"));
    stack.describe().forEach(line -> out.println("  " + line));
    readyQueries(stack).forEach(out::println);
    out.printf(
        "biometer: local stack up in %.1f s; Ctrl-C stops it%n", (System.nanoTime() - t0) / 1e9);
    status.start();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** Queries to paste into the QuestDB console, or nothing if nothing lands in QuestDB. */
  public static java.util.List<String> readyQueries(LocalStack stack) {
    if (stack.questdb() == null || stack.connect() == null) {
      return java.util.List.of();
    }
    String patient = io.biometer.simulator.engine.Simulation.patientId(0);
    String where =
        stack.security() == null
            ? "biometer: open the QuestDB console at " + stack.questdb().httpUrl() + " and try:"
            : "biometer: read-only over PG (psql -h "
                + stack.config().bindHost()
                + " -p "
                + stack.config().questdbPgPort()
                + " -U "
                + EmbeddedQuestDb.READONLY_USER
                + " qdb; password questdb.readonly.password in "
                + stack.security().credentialsFile()
                + "), or in the console at "
                + stack.questdb().httpUrl()
                + " as admin, try:";
    return java.util.List.of(
        where,
        "  -- latest vitals of " + patient,
        "  SELECT ts, device_id, sensor_type, channel, value FROM readings WHERE owner_id = '"
            + patient
            + "' LATEST ON ts PARTITION BY device_id, channel;",
        "  -- active alerts",
        "  " + StatusLine.ACTIVE_ALERTS_SQL + ";",
        "  -- the loss ledger: per device and day, what was expected, received, missing, copied, late",
        "  " + LEDGER_SQL + ";");
  }

  /** The loss ledger's latest rows, as {@code up} suggests them. */
  static final String LEDGER_SQL =
      "SELECT ts, device_id, expected, received, gaps, duplicates, late, too_late, dlq, is_final"
          + " FROM data_completeness ORDER BY ts DESC, device_id LIMIT 20";

  /** The config the arguments ask for, or null if they asked for help (printed to {@code out}). */
  static DevStackConfig parse(String[] args, PrintStream out) {
    String envFile = System.getenv("BIOMETER_CONFIG");
    ConfigArgs parsed =
        ConfigArgs.parse(args, envFile == null || envFile.isBlank() ? null : Path.of(envFile));
    if (parsed.help()) {
      help(out);
      return null;
    }
    return DevStackConfig.load(parsed.file(), System.getenv(), parsed.values());
  }

  private static void help(PrintStream out) {
    out.println("usage: biometer up [--config FILE] [key=value ...]");
    out.println("configuration keys (also BIOMETER_<KEY> environment variables):");
    for (String key : DevStackConfig.CONFIG_DEF.names().stream().sorted().toList()) {
      out.println(
          "  " + key + "\n      " + DevStackConfig.CONFIG_DEF.configKeys().get(key).documentation);
    }
    helpFor(out, DevStackConfig.SIMULATOR_PREFIX, SimulatorConfig.CONFIG_DEF, "producer.*");
    helpFor(out, DevStackConfig.STREAMS_PREFIX, StreamsAppConfig.CONFIG_DEF, "kafka.*, alerts.*");
    helpFor(out, DevStackConfig.CONNECT_PREFIX, ConnectWorkerConfig.CONFIG_DEF, "worker.*");
  }

  private static void helpFor(PrintStream out, String prefix, ConfigDef def, String families) {
    out.println();
    out.println(
        prefix
            + "* keys pass to that app's own config without the prefix (also "
            + prefix
            + families
            + "):");
    for (String key : def.names().stream().sorted().toList()) {
      Object local = DevStackConfig.localValue(prefix + key);
      out.println(
          "  "
              + prefix
              + key
              + "\n      "
              + def.configKeys().get(key).documentation
              + (local == null ? "" : " In the local run: " + local + "."));
    }
  }
}
