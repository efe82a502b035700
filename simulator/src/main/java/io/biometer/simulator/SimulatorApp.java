package io.biometer.simulator;

import io.biometer.avro.SensorType;
import io.biometer.registry.HttpSchemaRegistryClient;
import io.biometer.registry.SchemaRegistryException;
import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.simulator.model.SinkBatteryConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The simulator and load generator: {@code biometer-sim run [options]}. Exit codes: 0 done, 1 a
 * part could not be reached or the run failed, 2 a mistake in the options.
 */
@Command(
    name = "biometer-sim",
    mixinStandardHelpOptions = true,
    version = "biometer simulator 0.1.0",
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
          if (ex instanceof Failure || ex instanceof IllegalArgumentException) {
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

  /** The {@code run} subcommand. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Simulate patients (ten body sensors and two sinks each) and soil meters, producing to"
            + " Kafka until --duration has passed or Ctrl-C.",
        "Prints a progress line every second and a report at the end."
      })
  static final class Run implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
        names = "--bootstrap-servers",
        defaultValue = "127.0.0.1:9092",
        description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
        names = "--schema-registry-url",
        defaultValue = "http://127.0.0.1:8081",
        description = "Schema registry URL (default: ${DEFAULT-VALUE}).")
    String registryUrl;

    @Option(
        names = "--patients",
        defaultValue = "10",
        description = "Patients, each with two sinks (default: ${DEFAULT-VALUE}).")
    int patients;

    @Option(
        names = "--patient-offset",
        defaultValue = "0",
        description =
            "Index of the first patient, to shard a population across processes by id range (default: ${DEFAULT-VALUE}).")
    int patientOffset;

    @Option(
        names = "--sensors-per-patient",
        defaultValue = "10",
        description =
            "Body sensors per patient, 1 to 10, taken in catalogue order (default: ${DEFAULT-VALUE}).")
    int sensorsPerPatient;

    @Option(
        names = "--meters",
        defaultValue = "4",
        description = "Soil meters (default: ${DEFAULT-VALUE}).")
    int meters;

    @Option(
        names = "--meter-offset",
        defaultValue = "0",
        description = "Index of the first meter (default: ${DEFAULT-VALUE}).")
    int meterOffset;

    @Option(
        names = "--meter-interval",
        defaultValue = "PT15M",
        description =
            "Simulated time between two samples of a meter, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration meterInterval;

    @Option(
        names = "--cadence",
        description =
            "Simulated time between two readings of every body sensor, ISO-8601 (e.g. PT1S); default: each type's catalogue cadence.")
    Duration cadence;

    @Option(
        names = "--rate",
        description =
            "Target body readings per wall second across all sensors; sets the cadence. Not with --cadence.")
    Double rate;

    @Option(
        names = "--duration",
        description = "Wall time to run, ISO-8601 (e.g. PT60S); default: until Ctrl-C.")
    Duration duration;

    @Option(
        names = "--redundancy",
        defaultValue = "both",
        description =
            "both: every awake sink relays every reading (duplicates on purpose); failover: only the first awake sink (default: ${DEFAULT-VALUE}).")
    String redundancy;

    @Option(
        names = "--episode-rate",
        defaultValue = "0.5",
        description =
            "Abnormal episodes per sensor per simulated hour (default: ${DEFAULT-VALUE}).")
    double episodeRate;

    @Option(
        names = "--seed",
        description = "Seed that makes the run repeatable; default: random, printed at start.")
    Long seed;

    @Option(
        names = "--speed",
        defaultValue = "1",
        description =
            "Simulated seconds per wall second: 1 for a live demo, 1440 for a day per minute (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(
        names = "--start",
        description =
            "Simulated start time, ISO-8601 instant; default: now at speed 1, else 30 days ago, so a fast run never runs ahead of the wall clock for long.")
    Instant start;

    @Option(
        names = "--threads",
        defaultValue = "2",
        description = "Scheduler threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
        names = "--spool-dir",
        defaultValue = "data/simulator-spool",
        description =
            "Folder of the on-disk spool used while Kafka is unreachable (default: ${DEFAULT-VALUE}).")
    Path spoolDir;

    @Option(
        names = "--spool-max-bytes",
        defaultValue = "268435456",
        description =
            "Most bytes the spool keeps; beyond, records are counted lost (default: ${DEFAULT-VALUE}).")
    long spoolMaxBytes;

    @Option(
        names = "--ground-truth",
        description =
            "Append what the simulator did (episodes, duplicates, spooled and lost records, meter batches) to this JSON-lines file.")
    Path groundTruth;

    @Option(names = "--report", description = "Write the end-of-run report as JSON to this file.")
    Path report;

    @Option(
        names = "--register",
        negatable = true,
        defaultValue = "true",
        fallbackValue = "true",
        description =
            "Publish every device to telemetry.devices at start (default: true; --no-register to skip).")
    boolean register;

    @Option(
        names = "--sink-sleep-below",
        defaultValue = "10",
        description = "Sink battery percent below which a sink sleeps (default: ${DEFAULT-VALUE}).")
    double sinkSleepBelow;

    @Option(
        names = "--sink-wake-at",
        defaultValue = "60",
        description =
            "Sink battery percent at which a sleeping sink wakes (default: ${DEFAULT-VALUE}).")
    double sinkWakeAt;

    @Option(
        names = "--sink-drain-per-hour",
        defaultValue = "2",
        description =
            "Sink battery percent spent per simulated hour awake (default: ${DEFAULT-VALUE}).")
    double sinkDrainPerHour;

    @Option(
        names = "--sink-relay-cost",
        defaultValue = "0.0002",
        description = "Sink battery percent spent per relayed reading (default: ${DEFAULT-VALUE}).")
    double sinkRelayCost;

    @Option(
        names = "--sink-charge-per-hour",
        defaultValue = "50",
        description =
            "Sink battery percent gained per simulated hour on the charger (default: ${DEFAULT-VALUE}).")
    double sinkChargePerHour;

    @Option(
        names = "--sink-charging-hours",
        defaultValue = "1",
        description =
            "Length of each sink's daily charging period in hours, 0 for none (default: ${DEFAULT-VALUE}).")
    double sinkChargingHours;

    @Option(
        names = "--connect-timeout",
        defaultValue = "PT10S",
        description =
            "How long to wait for Kafka and the registry to answer at start (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(
        names = "--producer",
        description =
            "A Kafka producer setting KEY=VALUE that replaces the default (repeatable), e.g. --producer linger.ms=5.")
    Map<String, String> producer = new HashMap<>();

    @Override
    public Integer call() {
      SimulatorSettings settings = settings();
      PrintWriter out = spec.commandLine().getOut();
      preflight(settings, connectTimeout);
      out.printf(
          "biometer-sim: %d patients x %d sensors, %d meters, seed %d, speed %sx, simulated start %s%n",
          settings.simulation().patients(),
          settings.simulation().sensorTypes().size(),
          settings.simulation().meters(),
          settings.simulation().seed(),
          speed,
          Instant.ofEpochMilli(settings.simulation().simStart()));
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

    SimulatorSettings settings() {
      CommandLine cl = spec.commandLine();
      positive(patients, "--patients", true);
      positive(patientOffset, "--patient-offset", true);
      positive(meters, "--meters", true);
      positive(meterOffset, "--meter-offset", true);
      if (sensorsPerPatient < 1 || sensorsPerPatient > 10) {
        throw new ParameterException(
            cl, "--sensors-per-patient must be 1 to 10, got " + sensorsPerPatient);
      }
      if (threads < 1) {
        throw new ParameterException(cl, "--threads must be at least 1, got " + threads);
      }
      if (!(speed > 0)) {
        throw new ParameterException(cl, "--speed must be > 0, got " + speed);
      }
      if (episodeRate < 0) {
        throw new ParameterException(cl, "--episode-rate must be >= 0, got " + episodeRate);
      }
      if (duration != null && (duration.isNegative() || duration.isZero())) {
        throw new ParameterException(cl, "--duration must be positive, got " + duration);
      }
      if (spoolMaxBytes <= 0) {
        throw new ParameterException(cl, "--spool-max-bytes must be > 0, got " + spoolMaxBytes);
      }
      if (!redundancy.equals("both") && !redundancy.equals("failover")) {
        throw new ParameterException(
            cl, "--redundancy must be 'both' or 'failover', got '" + redundancy + "'");
      }
      if (cadence != null && rate != null) {
        throw new ParameterException(cl, "give --cadence or --rate, not both");
      }
      List<SensorType> types = SimulationConfig.allBodyTypes().subList(0, sensorsPerPatient);
      Duration effectiveCadence = cadence;
      if (rate != null) {
        if (!(rate > 0)) {
          throw new ParameterException(cl, "--rate must be > 0, got " + rate);
        }
        long sensors = (long) patients * sensorsPerPatient;
        effectiveCadence =
            Duration.ofMillis(Math.max(1, Math.round(sensors * 1000 * speed / rate)));
      }
      long s = seed != null ? seed : new java.util.SplittableRandom().nextLong();
      long startMillis =
          start != null
              ? start.toEpochMilli()
              : speed == 1
                  ? System.currentTimeMillis()
                  : System.currentTimeMillis() - Duration.ofDays(30).toMillis();
      SimulationConfig sim;
      SinkBatteryConfig battery;
      try {
        battery =
            new SinkBatteryConfig(
                sinkRelayCost,
                sinkDrainPerHour,
                sinkChargePerHour,
                sinkSleepBelow,
                sinkWakeAt,
                sinkChargingHours);
        sim =
            new SimulationConfig(
                s,
                startMillis,
                patients,
                patientOffset,
                types,
                effectiveCadence,
                redundancy.equals("both"),
                episodeRate,
                meters,
                meterOffset,
                meterInterval,
                battery,
                0.0012);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cl, e.getMessage());
      }
      Map<String, Object> overrides = new HashMap<>(producer);
      return new SimulatorSettings(
          bootstrapServers,
          registryUrl,
          sim,
          speed,
          threads,
          spoolDir,
          spoolMaxBytes,
          groundTruth,
          register,
          overrides);
    }

    private void positive(int value, String option, boolean zeroOk) {
      if (value < 0 || (!zeroOk && value == 0)) {
        throw new ParameterException(
            spec.commandLine(), option + " must be >= " + (zeroOk ? 0 : 1) + ", got " + value);
      }
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
    }
  }
}
