package io.biometer.bench;

import io.biometer.avro.SensorType;
import io.biometer.catalog.SensorCatalog;
import io.biometer.serde.AvroSerdeConfig;
import io.biometer.simulator.engine.GroundTruth;
import io.biometer.simulator.engine.Simulation;
import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.simulator.kafka.KafkaOutput;
import io.biometer.simulator.kafka.RunStats;
import io.biometer.simulator.model.SinkBatteryConfig;
import io.biometer.simulator.spool.DiskSpool;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The whole pipeline under a sustained load, on one stack: the simulator's virtual sensors at their
 * catalogue cadence, every reading relayed by both of its patient's sinks (so two records in per
 * reading), through the streams app (validation, dedup, alerts, daily aggregation) and the QuestDB
 * sink into tables of the bench's own. It measures the readings/s that land while the load runs,
 * and then checks that nothing was lost or duplicated, from the ground truth rather than from the
 * pipeline: the simulator's counts and the raw input topic give the readings and their channels;
 * the distinct (device, sequence) pairs in {@code telemetry.readings.clean}, and the rows (count
 * and count distinct) in QuestDB, must match them exactly.
 */
public final class EndToEndBench {

  /** The seed of the simulated population. */
  static final long SEED = 20_260_512L;

  private EndToEndBench() {}

  /** {@code ./biometer bench e2e}: a stack of its own, the table, the files in {@code out}. */
  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "e2e",
        args,
        outDir,
        out,
        err,
        EndToEndOptions::parse,
        (o, report) -> {
          err.println(
              "biometer bench e2e: starting a private stack (Kafka, registry, QuestDB, Connect"
                  + " worker) ...");
          try (BenchStack bench = new BenchStack("e2e", true)) {
            measure(bench, o, report, err);
          }
        });
  }

  /** Readings/s of one patient's ten body sensors at the catalogue's cadences. */
  static double readingsPerPatient() {
    double r = 0;
    for (SensorType t : SimulationConfig.allBodyTypes()) {
      r += 1000.0 / SensorCatalog.standard().spec(t).cadence().toMillis();
    }
    return r;
  }

  /** Patients whose sensors, at catalogue cadence, send {@code rate} readings/s. */
  static int patients(int rate) {
    return (int) Math.max(1, Math.round(rate / readingsPerPatient()));
  }

  private static SimulationConfig population(int patients, long start) {
    return SimulationConfig.builder(SEED, start)
        .patients(patients)
        // Sinks never sleep: both relay every reading.
        .sinkBattery(SinkBatteryConfig.everlasting())
        .build();
  }

  /**
   * Runs the load on {@code bench} (which must have QuestDB and Connect), checks the result, and
   * adds the rows to {@code report}. Starts by emptying the pipeline's topics.
   */
  static void measure(
      BenchStack bench, EndToEndOptions o, BenchReport.Builder report, PrintStream err)
      throws Exception {
    int patients = patients(o.rate());
    double offered = patients * readingsPerPatient();
    bench.emptyPipelineTopics();
    err.printf(
        "biometer bench e2e: registering %,d patients' devices (%,d virtual sensors) ...%n",
        patients, patients * 10L);
    register(bench, patients);
    EndToEndRun run =
        EndToEndLoad.run(bench, o, patients, offered, start -> population(patients, start), err);
    EndToEndRows.add(report, o, patients, offered, run);
  }

  /** Publishes the population's devices and waits until they are sent. */
  private static void register(BenchStack bench, int patients) {
    RunStats stats = new RunStats();
    try (DiskSpool spool = new DiskSpool(bench.dir.resolve("register-spool"), 1L << 28);
        KafkaOutput out =
            new KafkaOutput(
                Map.<String, Object>of("bootstrap.servers", bench.stack.bootstrapServers()),
                Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, bench.stack.registryUrl()),
                spool,
                stats,
                GroundTruth.NONE)) {
      new Simulation(population(patients, System.currentTimeMillis()), out, GroundTruth.NONE, 1)
          .registerDevices();
    }
  }
}
