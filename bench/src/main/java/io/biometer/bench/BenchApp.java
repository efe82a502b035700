package io.biometer.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./biometer bench [simulator|streams|connector|e2e|ingress|commands|readme]}: benchmarks on
 * a private embedded stack, each figure printed beside its baseline measured in the same run on the
 * same stack. With no benchmark named, every one but {@code ingress} and {@code commands} runs on
 * one stack and prints one table. Every run writes its table as JSON and Markdown into {@code
 * --out} (default {@code target/bench}).
 */
public final class BenchApp {

  /** Where tables go unless {@code --out} says otherwise. */
  static final Path DEFAULT_OUT = Path.of("target", "bench");

  /** The page whose "Performance" section is generated from the committed run. */
  static final String BENCHMARKS_PAGE = "docs/benchmarks.md";

  /** The committed run's file name, beside the page. */
  static final String PERFORMANCE_JSON_NAME = "performance.json";

  /** The committed run the "Performance" section of {@link #BENCHMARKS_PAGE} is generated from. */
  static final Path PERFORMANCE_JSON = Path.of("docs", PERFORMANCE_JSON_NAME);

  /** The committed run of {@code ./biometer bench ingress}, which has a section of its own. */
  static final Path PERFORMANCE_INGRESS_JSON =
      Path.of("docs", BenchReport.performanceJsonName("ingress"));

  /** The committed run of {@code ./biometer bench commands}, which has a section of its own. */
  static final Path PERFORMANCE_COMMANDS_JSON =
      Path.of("docs", BenchReport.performanceJsonName("commands"));

  private BenchApp() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    String what = args.length == 0 || args[0].startsWith("-") ? "all" : args[0];
    List<String> rest =
        new ArrayList<>(
            Arrays.asList(what.equals("all") ? args : Arrays.copyOfRange(args, 1, args.length)));
    if (rest.contains("-h") || rest.contains("--help") || what.equals("help")) {
      out.print(HELP);
      return ExitCode.OK.code();
    }
    Path outDir = DEFAULT_OUT;
    for (String a : List.copyOf(rest)) {
      if (a.startsWith("--out=")) {
        outDir = Path.of(a.substring("--out=".length()));
        rest.remove(a);
      }
    }
    String[] r = rest.toArray(String[]::new);
    return switch (what) {
      case "all" -> WholeBench.run(r, outDir, out, err);
      case "simulator" -> SimulatorBench.run(r, outDir, out, err);
      case "streams" -> StreamsBench.run(r, outDir, out, err);
      case "connector" -> ConnectorBench.run(r, outDir, out, err);
      case "e2e" -> EndToEndBench.run(r, outDir, out, err);
      case "ingress" -> IngressBench.run(r, outDir, out, err);
      case "commands" -> CommandsBench.run(r, outDir, out, err);
      case "readme" -> readme(r, err);
      default -> {
        err.println(
            "biometer bench: unknown benchmark '" + what + "'; try ./biometer bench --help");
        yield ExitCode.USAGE.code();
      }
    };
  }

  /**
   * {@code ./biometer bench readme [--from=FILE] [--page=FILE]}: copies a run's JSON (default
   * {@code target/bench/bench.json}) to {@code performance.json} beside the page (default {@code
   * docs/benchmarks.md}, so {@code docs/performance.json}) and regenerates the page's "Performance"
   * section from it. A run of a bench that runs only on its own ({@code ingress}) goes to {@code
   * performance-ingress.json} and its own generated section.
   */
  private static int readme(String[] args, PrintStream err) {
    Path from = DEFAULT_OUT.resolve("bench.json");
    Path readme = Path.of(BENCHMARKS_PAGE);
    for (String a : args) {
      if (a.startsWith("--from=")) {
        from = Path.of(a.substring("--from=".length()));
      } else if (a.startsWith("--page=")) {
        readme = Path.of(a.substring("--page=".length()));
      } else {
        err.println("biometer bench readme: unknown argument '" + a + "'");
        return ExitCode.USAGE.code();
      }
    }
    try {
      String json = Files.readString(from);
      BenchReport report = BenchReport.parse(json);
      // Refused (unknown targets, no markers) before anything is written.
      String updated = report.readme(Files.readString(readme));
      Path committed =
          readme
              .toAbsolutePath()
              .getParent()
              .resolve(BenchReport.performanceJsonName(report.ownRun()))
              .normalize();
      if (!from.toAbsolutePath().normalize().equals(committed)) {
        Files.createDirectories(committed.getParent());
        Files.writeString(committed, json);
      }
      Files.writeString(readme, updated);
      err.println("biometer bench readme: " + readme + " now shows the run in " + committed);
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("biometer bench readme: " + e.getMessage());
      return 1;
    }
  }

  static final String HELP =
      """
      usage: ./biometer bench [BENCH] [--quick] [--out=DIR] [options] [key=value ...]
        (no BENCH)  every benchmark but ingress and commands on one private stack (Kafka,
                    registry, QuestDB, Connect), one table: simulator vs ProducerPerformance,
                    streams vs pass-through, connector vs consumer + ILP and ILP alone,
                    end-to-end sustained readings/s with zero loss/duplicates checked (twice:
                    the app's defaults, and for reference alerts.silent.factor=100),
                    event-to-alert and event-to-row latency, heap per virtual sensor. About 10
                    minutes; --quick about 5.
                    options: --rounds=N (paired rounds per ratio, default 5)
                             --seconds=N (end-to-end load, default 60, --quick 10)
                             --tiny (one round of everything at the smallest size, about
                             2 minutes: a test that every path runs; its figures mean nothing)
        simulator   simulator records/s vs Kafka's ProducerPerformance, heap per virtual sensor,
                    100,000 sensors at catalogue cadence. options: --rounds=N
        streams     full topology vs pass-through records/s; event-to-alert latency at 10,000
                    readings/s at-least-once and exactly-once (landing in QuestDB meanwhile, with
                    event-to-row latency) vs a transactional producer's floor.
                    options: --rounds=N, --latency-only, key=value app config for every run
                    (e.g. kafka.commit.interval.ms=50)
        connector   QuestDB sink rows/s through Connect vs a consumer + ILP client and the ILP
                    client alone; event-to-queryable-row latency at 10,000 readings/s.
                    options: --rounds=N, --readings=N (backlog, 2 rows each; default 200,000,
                    --quick 100,000), --seconds=N (latency run; 20, --quick 8), key=value
                    connector config for every run (e.g. allowed.lag=100)
        e2e         the whole pipeline at a sustained load, every reading relayed twice, zero
                    loss and duplicates checked. options: --seconds=N (default 60, --quick 10),
                    --rate=N (readings/s, default 50,000), --guarantee=exactly_once_v2|at_least_once,
                    key=value app config (e.g. alerts.silent.factor=30)
        ingress     the device gateway (not part of the whole run: heavy, 10,000 sockets a side,
                    the gateway in a JVM of its own; about 5 minutes, --quick about 3). MQTT QoS 1
                    with 10,000 connections: readings/s flat out vs the same records straight to
                    Kafka (one idempotent acks=all producer, the gateway's settings), connection
                    set-up rate, publish-to-PUBACK p50/p99 at 10,000 msg/s vs Kafka's
                    send-to-ack, gateway heap per idle connection; the same for HTTP batches
                    (POST /v1/readings, a JSON array): readings/s and batch latency; every
                    acknowledged reading checked in Kafka. Needs an open-file limit above the
                    connections in each JVM (ulimit -n 65536).
                    options: --connections=N (default 10,000; targets judged only at 10,000),
                             --rounds=N, --seconds=N (flat-out round, default 10, --quick 4),
                             --rate=N (latency runs, default 10,000 msg/s), --latency-seconds=N
                             (default 20, --quick 8), --in-flight=N (unacknowledged messages per
                             MQTT device flat out, default 1), --batch=N (readings per HTTP batch,
                             default 100), --http-connections=N (default 64), key=value gateway
                             config (e.g. kafka.linger.ms=5); BIOMETER_BENCH_GATEWAY_JAVA_OPTS
                             replaces the gateway JVM's options (default -Xms256m -Xmx1g
                             -XX:MaxGCPauseMillis=20)
        commands    commands back to devices (not part of the whole run: 10,000 sockets a side,
                    the gateway in a JVM of its own; about 2 minutes). 10,000 ACTUATOR fans
                    connected over MQTT, each subscribed to biometer/<device>/commands at QoS 1
                    and answering every command "ok"; set_power commands to telemetry.commands at
                    1,000/s, the devices in turn: command-to-device latency p50/p99/p99.9/max
                    (from when the command was due to the producer to when the device's client got
                    it) beside the same records' produce-to-consume latency through a scratch
                    topic of the same partitions (a plain consumer), target p99 <= the baseline's
                    p99 + 50 ms; the round trip to the OK response on telemetry.command.responses;
                    every command checked delivered exactly once. Needs an open-file limit above
                    the devices in each JVM (ulimit -n 65536).
                    options: --devices=N (default 10,000; the target is judged only at 10,000 and
                             1,000/s), --rate=N (commands/s, default 1,000), --seconds=N
                             (measured, default 30, --quick 10), --warm-up=N (seconds at the same
                             rate before, default 5, --quick 3), key=value gateway config;
                             BIOMETER_BENCH_GATEWAY_JAVA_OPTS as for ingress
        readme      regenerate docs/benchmarks.md's "Performance" section from a run's JSON:
                    --from=FILE (default target/bench/bench.json; copied to docs/performance.json),
                    --page=FILE (default docs/benchmarks.md); a run of ingress
                    (--from=target/bench/bench-ingress.json) goes to docs/performance-ingress.json
                    and the page's ingress section; a run of commands
                    (--from=target/bench/bench-commands.json) to docs/performance-commands.json
                    and the page's commands section
        --quick     shorter runs (a smoke test; figures are noisier)
        --out=DIR   where the table goes as JSON and Markdown (default target/bench)
      A ratio is the median of paired rounds whose order alternates, with its spread; fewer than
      5 pairs give no verdict, and --tiny gives none at all. Targets: io.biometer.bench.Target.
      """
          + ExitCode.help();
}
