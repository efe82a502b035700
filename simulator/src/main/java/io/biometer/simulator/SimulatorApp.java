package io.biometer.simulator;

import io.biometer.config.ConfigSource;
import io.biometer.config.LayeredConfig;
import io.biometer.registry.HttpSchemaRegistryClient;
import io.biometer.registry.SchemaRegistryException;
import io.biometer.simulator.gateway.GatewaySettings;
import io.biometer.simulator.gateway.Via;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The simulator and load generator: {@code biometer-sim run [options]}. Exit codes: 0 done, 1 a
 * part could not be reached or the run failed, 2 a mistake in the options.
 */
@Command(
    name = "biometer-sim",
    mixinStandardHelpOptions = true,
    version = "biometer simulator 0.1.0",
    defaultValueProvider = SimulatorApp.Defaults.class,
    description = "Virtual body sensors, redundant sinks and soil meters producing Avro to Kafka.",
    subcommands = {SimulatorApp.Run.class})
public final class SimulatorApp implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command: use 'run' (see --help)");
  }

  /** A user-facing failure: one line, exit 1. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  /** Runs the simulator with {@code args}; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new SimulatorApp());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("biometer-sim: " + ex.getMessage());
          err.println("biometer-sim: run with --help for the options");
          err.flush();
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          if (ex instanceof Failure
              || ex instanceof IllegalArgumentException
              || ex instanceof ConfigException) {
            err.println("biometer-sim: " + ex.getMessage());
            err.flush();
            return ex instanceof Failure ? 1 : 2;
          }
          throw ex;
        });
    return cl.execute(args);
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(args, out, err));
  }

  /** Shows each option's default in --help: its key's, from {@link SimulatorConfig}. */
  static final class Defaults implements CommandLine.IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
      if (arg instanceof OptionSpec o) {
        String key = SimulatorConfig.keyOf(o.longestName());
        Object value = key == null ? null : SimulatorConfig.CONFIG_DEF.defaultValues().get(key);
        if (value instanceof Double d && d == Math.rint(d)) {
          return Long.toString(d.longValue());
        }
        return value == null ? null : value.toString();
      }
      return null;
    }
  }

  /**
   * The help of each option that sets a key (picocli finds it by the option's name without dashes):
   * the key's doc in {@link SimulatorConfig#CONFIG_DEF}, its closing "Default: X." shown as {@code
   * (default: X)} from the same definition through {@link Defaults}, so neither the text nor the
   * default is written twice.
   */
  public static final class OptionDocs extends ListResourceBundle {
    @Override
    protected Object[][] getContents() {
      return SimulatorConfig.CONFIG_DEF.configKeys().values().stream()
          .map(k -> new Object[] {SimulatorConfig.option(k.name).substring(2), help(k)})
          .toArray(Object[][]::new);
    }

    static String help(ConfigDef.ConfigKey key) {
      String doc = key.documentation;
      int at = doc.lastIndexOf(" Default: ");
      if (key.defaultValue == null || at < 0) {
        return doc;
      }
      String text = doc.substring(0, at);
      return (text.endsWith(".") ? text.substring(0, text.length() - 1) : text)
          + " (default: ${DEFAULT-VALUE}).";
    }
  }

  /** The {@code run} subcommand. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      defaultValueProvider = Defaults.class,
      resourceBundle = "io.biometer.simulator.SimulatorApp$OptionDocs",
      description = {
        "Simulate patients (ten body sensors and two sinks each) and soil meters, producing to"
            + " Kafka, or with --via http|ws|mqtt sending through the ingress gateway as devices"
            + " do, until --duration has passed or Ctrl-C.",
        "Prints a progress line every second and a report at the end."
      })
  static final class Run implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
        names = "--config",
        description =
            "A properties file of simulator keys (each option is a key: --sink-wake-at is sink.wake.at); options and key=value arguments win over it.")
    Path configFile;

    @Parameters(
        paramLabel = "KEY=VALUE",
        description =
            "Simulator keys, e.g. patients=100 producer.linger.ms=5; they win over options.")
    List<String> keyValues = new ArrayList<>();

    @Option(names = "--bootstrap-servers")
    String bootstrapServers;

    @Option(names = "--schema-registry-url")
    String registryUrl;

    @Option(names = "--patients")
    String patients;

    @Option(names = "--patient-offset")
    String patientOffset;

    @Option(names = "--sensors-per-patient")
    String sensorsPerPatient;

    @Option(names = "--meters")
    String meters;

    @Option(names = "--meter-offset")
    String meterOffset;

    @Option(names = "--meter-interval")
    String meterInterval;

    @Option(names = "--cadence")
    String cadence;

    @Option(names = "--rate")
    String rate;

    @Option(names = "--duration")
    String duration;

    @Option(names = "--redundancy")
    String redundancy;

    @Option(names = "--episode-rate")
    String episodeRate;

    @Option(names = "--seed")
    String seed;

    @Option(names = "--speed")
    String speed;

    @Option(names = "--start")
    String start;

    @Option(names = "--threads")
    String threads;

    @Option(names = "--spool-dir")
    String spoolDir;

    @Option(names = "--spool-max-bytes")
    String spoolMaxBytes;

    @Option(names = "--ground-truth")
    String groundTruth;

    @Option(names = "--report")
    String report;

    @Option(names = "--register", negatable = true, fallbackValue = "true")
    boolean register;

    @Option(names = "--sink-sleep-below")
    String sinkSleepBelow;

    @Option(names = "--sink-wake-at")
    String sinkWakeAt;

    @Option(names = "--sink-drain-per-hour")
    String sinkDrainPerHour;

    @Option(names = "--sink-relay-cost")
    String sinkRelayCost;

    @Option(names = "--sink-charge-per-hour")
    String sinkChargePerHour;

    @Option(names = "--sink-charging-hours")
    String sinkChargingHours;

    @Option(names = "--connect-timeout")
    String connectTimeout;

    @Option(names = "--via")
    String via;

    @Option(names = "--gateway-host")
    String gatewayHost;

    @Option(names = "--gateway-http-port")
    String gatewayHttpPort;

    @Option(names = "--gateway-mqtt-port")
    String gatewayMqttPort;

    @Option(names = "--gateway-tls-truststore")
    String gatewayTlsTruststore;

    @Option(names = "--gateway-tls-truststore-password")
    String gatewayTlsTruststorePassword;

    @Option(names = "--gateway-connecting-max")
    String gatewayConnectingMax;

    @Option(names = "--gateway-window")
    String gatewayWindow;

    @Option(names = "--gateway-store-max")
    String gatewayStoreMax;

    @Option(names = "--sequence-origin")
    String sequenceOrigin;

    @Option(
        names = "--producer",
        description =
            "A Kafka producer setting KEY=VALUE that replaces the default (repeatable), e.g. --producer linger.ms=5.")
    Map<String, String> producer = new HashMap<>();

    @Override
    public Integer call() {
      SimulatorConfig config = config(System.getenv());
      SimulatorSettings settings = config.settings();
      Duration duration = config.duration();
      Path report = config.report();
      PrintWriter out = spec.commandLine().getOut();
      preflight(settings, config.connectTimeout());
      out.printf(
          "biometer-sim: %d patients x %d sensors, %d meters, seed %d, speed %sx, simulated start %s,"
              + " via %s%n",
          settings.simulation().patients(),
          settings.simulation().sensorTypes().size(),
          settings.simulation().meters(),
          settings.simulation().seed(),
          config.speed(),
          Instant.ofEpochMilli(settings.simulation().simStart()),
          settings.gateway().via().throughGateway()
              ? settings.gateway().via().label() + " (gateway " + settings.gateway().address() + ")"
              : "kafka");
      out.flush();
      SimulatorRun run = SimulatorRun.start(settings);
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch finished = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                stop.set(true);
                try {
                  finished.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "biometer-sim-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
      try {
        while (!stop.get() && System.nanoTime() < end && run.failure() == null) {
          long next = Math.min(end, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
          while (!stop.get() && System.nanoTime() < next) {
            java.util.concurrent.locks.LockSupport.parkNanos(
                Math.min(50_000_000L, next - System.nanoTime()));
          }
          out.println(run.progressLine());
          out.flush();
        }
        out.println("biometer-sim: stopping; draining the spool if needed ...");
        out.flush();
        run.close();
        RunReport r = run.report();
        out.print(r.table());
        if (report != null) {
          r.writeJson(report);
          out.println("biometer-sim: report written to " + report);
        }
        out.flush();
        if (run.failure() != null) {
          throw new Failure("the simulation stopped: " + run.failure());
        }
        return 0;
      } finally {
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
          // already shutting down
        }
      }
    }

    /**
     * The config: the file of {@code --config}, then {@code env}, then the options given, then the
     * {@code key=value} arguments. An option left out keeps the key's default (or the file's or the
     * environment's value).
     */
    SimulatorConfig config(Map<String, String> env) {
      Map<String, Object> options = new LinkedHashMap<>();
      ParseResult parsed = spec.commandLine().getParseResult();
      for (OptionSpec o : parsed.matchedOptions()) {
        String key = SimulatorConfig.keyOf(o.longestName());
        if (key != null) {
          options.put(key, String.valueOf((Object) o.getValue()));
        }
      }
      producer.forEach((k, v) -> options.put(SimulatorConfig.PRODUCER_PREFIX + k, v));
      Map<String, String> args = new LinkedHashMap<>();
      for (String kv : keyValues) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new ParameterException(
              spec.commandLine(), "expected key=value or an option, got '" + kv + "'");
        }
        args.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
      LayeredConfig layers =
          LayeredConfig.empty(SimulatorConfig.KEYS).withFile(configFile).withEnv(env);
      for (Map.Entry<String, Object> e : options.entrySet()) {
        String option =
            e.getKey().startsWith(SimulatorConfig.PRODUCER_PREFIX)
                ? "--producer"
                : SimulatorConfig.option(e.getKey());
        layers = layers.with(Map.of(e.getKey(), e.getValue()), ConfigSource.option(option));
      }
      return SimulatorConfig.from(layers.with(args, ConfigSource.argument()));
    }

    private static void preflight(SimulatorSettings s, Duration timeout) {
      try (Admin admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers(),
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()))) {
        admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new Failure(
            "cannot reach Kafka at "
                + s.bootstrapServers()
                + " within "
                + timeout.toSeconds()
                + " s: start the local stack (./biometer up) or set --bootstrap-servers");
      }
      try {
        new HttpSchemaRegistryClient(
                new HttpSchemaRegistryClient.Settings(
                    List.of(s.registryUrl()),
                    timeout,
                    timeout,
                    1,
                    Duration.ofMillis(200),
                    Duration.ofSeconds(1),
                    null))
            .subjects();
      } catch (SchemaRegistryException | IllegalArgumentException e) {
        throw new Failure(
            "cannot reach the schema registry at "
                + s.registryUrl()
                + ": "
                + e.getMessage()
                + "; start the local stack (./biometer up) or set --schema-registry-url");
      }
      GatewaySettings g = s.gateway();
      if (g.via().throughGateway()) {
        // Via udp the sinks' MQTT port: UDP itself cannot be checked without sending.
        int port = g.tcpPort();
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(g.host(), port), (int) timeout.toMillis());
        } catch (IOException e) {
          throw new Failure(
              "cannot reach the gateway at "
                  + g.host()
                  + ":"
                  + port
                  + " (via "
                  + g.via().label()
                  + "): "
                  + e.getMessage()
                  + "; start the local stack (./biometer up) or set --gateway-host and"
                  + portOption(g.via()));
        }
      }
    }
  }

  /** The option that sets the port {@code via} connects to. */
  static String portOption(Via via) {
    return switch (via) {
      case MQTT, UDP -> " --gateway-mqtt-port";
      case GRPC -> " --gateway-grpc-port";
      default -> " --gateway-http-port";
    };
  }
}
