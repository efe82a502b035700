package io.biometer.bench;

import io.biometer.streams.StreamsAppConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./biometer bench} with no benchmark named: every benchmark on one private stack (broker,
 * registry, QuestDB, Connect worker), one after the other, into one table. Each bench starts from
 * emptied pipeline topics; the order keeps one bench's leftovers out of the next's figures: the
 * streams and connector benches first, the end-to-end run next, the simulator last (it writes
 * gigabytes and registers 100,000 devices). The end-to-end run goes twice: with the app's defaults
 * (the verdict), then for reference with the silent-device check relaxed, which shows what the
 * pipeline carries without the alerts that a backlog raises. The heap per virtual sensor is
 * measured before the stack starts. A bench that fails is reported and the others still run.
 */
final class WholeBench {

  /** The silent factor of the reference end-to-end run. */
  static final String SILENT_FACTOR = "100";

  private WholeBench() {}

  /**
   * What the command line asked for.
   *
   * @param quick shorter runs everywhere
   * @param rounds paired rounds per ratio
   * @param seconds the end-to-end load's length, or 0 for its default
   * @param tiny the smallest run through every path, one round each (for tests; its figures mean
   *     nothing)
   */
  record Options(boolean quick, int rounds, int seconds, boolean tiny) {

    static Options parse(String[] args) {
      boolean quick = false;
      boolean tiny = false;
      int rounds = PairedRounds.MIN_PAIRS;
      int seconds = 0;
      for (String a : args) {
        if (a.equals("--quick")) {
          quick = true;
        } else if (a.equals("--tiny")) {
          tiny = true;
          quick = true;
        } else if (a.startsWith("--rounds=")) {
          rounds = Args.positive(a);
        } else if (a.startsWith("--seconds=")) {
          seconds = Args.positive(a);
        } else {
          throw new IllegalArgumentException("unknown argument '" + a + "'");
        }
      }
      return new Options(quick, tiny ? 1 : rounds, seconds, tiny);
    }

    /** The arguments each bench gets. */
    String[] args(String... more) {
      List<String> a = new ArrayList<>();
      if (quick) {
        a.add("--quick");
      }
      a.addAll(List.of(more));
      return a.toArray(String[]::new);
    }
  }

  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "",
        args,
        outDir,
        out,
        err,
        Options::parse,
        (o, report) -> {
          String rounds = "--rounds=" + o.rounds();
          if (o.tiny()) {
            // Its figures mean nothing: no verdicts, and so no exit code for a missed target.
            report.smokeRun();
          }
          SimulatorBench.heap(report, err);
          err.println(
              "biometer bench: starting a private stack (Kafka, registry, QuestDB, Connect worker)"
                  + " ...");
          try (BenchStack bench = new BenchStack("all", true)) {
            section(
                report,
                "streams",
                err,
                () ->
                    StreamsBench.measure(
                        bench,
                        o.tiny()
                            ? StreamsOptions.tiny()
                            : StreamsOptions.parse(o.args(rounds)).withoutCacheRun(),
                        report,
                        err));
            section(
                report,
                "connector",
                err,
                () ->
                    ConnectorBench.measure(
                        bench,
                        ConnectorOptions.parse(
                            o.tiny()
                                ? o.args(rounds, "--readings=10000", "--seconds=2")
                                : o.args(rounds)),
                        report,
                        err));
            EndToEndOptions e2e =
                EndToEndOptions.parse(
                    o.tiny()
                        ? o.args("--seconds=5", "--rate=5000")
                        : o.seconds() > 0 ? o.args("--seconds=" + o.seconds()) : o.args());
            section(
                report, "end-to-end", err, () -> EndToEndBench.measure(bench, e2e, report, err));
            if (!o.tiny()) {
              // The app's defaults raise DEVICE_SILENT for every device whose readings wait in
              // a backlog longer than 3 cadences; a second run with that check relaxed shows what
              // the pipeline carries without the alerts a backlog causes.
              section(
                  report,
                  "end-to-end",
                  err,
                  () ->
                      EndToEndBench.measure(
                          bench,
                          e2e.reference(
                              Map.of(StreamsAppConfig.SILENT_FACTOR_CONFIG, SILENT_FACTOR)),
                          report,
                          err));
            }
            section(
                report,
                "simulator",
                err,
                () ->
                    SimulatorBench.measure(
                        bench,
                        o.tiny() ? SimulatorOptions.tiny() : SimulatorOptions.parse(o.args(rounds)),
                        report,
                        err));
          }
        });
  }

  private interface Section {
    void run() throws Exception;
  }

  private static void section(
      BenchReport.Builder report, String name, PrintStream err, Section section) {
    err.println("biometer bench: --- " + name + " ---");
    CpuUse cpu = CpuUse.now();
    long t0 = System.nanoTime();
    int cores = Runtime.getRuntime().availableProcessors();
    try {
      section.run();
      CpuUse now = CpuUse.now();
      // Which figures another job on the machine may have pulled down.
      report.note(
          String.format(
              java.util.Locale.ROOT,
              "%s: this part took %.1f min; CPU used on average meanwhile: %.2f cores by the"
                  + " bench, %.2f by other processes.",
              name,
              (System.nanoTime() - t0) / 60e9,
              now.oursSince(cpu, cores),
              now.othersSince(cpu, cores)));
    } catch (Exception e) {
      err.println("biometer bench: the " + name + " bench failed: " + e);
      e.printStackTrace(err);
      report.failure(name + ": error: " + e);
    }
  }
}
