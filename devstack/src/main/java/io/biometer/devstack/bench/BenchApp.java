package io.biometer.devstack.bench;

import java.util.Arrays;

/**
 * {@code ./biometer bench [simulator|streams|connector]}: benchmarks on the embedded stack, each
 * figure printed beside its baseline measured in the same run on the same broker.
 */
public final class BenchApp {

  private BenchApp() {}

  public static void main(String[] args) throws Exception {
    String what = args.length == 0 ? "simulator" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (what) {
      case "simulator" -> System.exit(SimulatorBench.run(rest, System.out, System.err));
      case "streams" -> System.exit(StreamsBench.run(rest, System.out));
      case "connector" -> System.exit(ConnectorBench.run(rest, System.out, System.err));
      case "-h", "--help", "help" -> {
        System.out.println(
            "usage: ./biometer bench [simulator|streams|connector] [--quick] [options] [key=value ...]");
        System.out.println(
            "  simulator  simulator records/s vs Kafka's ProducerPerformance, heap per virtual sensor");
        System.out.println(
            "  streams    full topology vs pass-through records/s; event-to-alert latency at 10,000 readings/s");
        System.out.println(
            "  connector  QuestDB sink rows/s through Connect vs a consumer + ILP client and the ILP"
                + " client alone; event-to-queryable-row latency at 10,000 readings/s");
        System.out.println("  --quick    shorter rounds (for a smoke test; figures are noisier)");
        System.out.println("  --latency-only  streams: skip the throughput runs");
        System.out.println(
            "  key=value  streams: app config for every run, e.g. kafka.commit.interval.ms=50;"
                + " connector: connector config for every run, e.g. allowed.lag=100");
        System.out.println(
            "  --readings=N --rounds=N --seconds=N  connector: backlog readings (2 rows each;"
                + " default 200,000, --quick 50,000), measured rounds (2), latency run seconds"
                + " (20, --quick 8)");
      }
      default -> {
        System.err.println(
            "biometer bench: unknown benchmark '" + what + "'; try ./biometer bench --help");
        System.exit(2);
      }
    }
  }
}
