package io.biometer.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;

/**
 * Runs a bench and hands its table over: prints the Markdown, writes it and the JSON into the
 * output folder, and says where. An error ends the bench but still writes what was measured, with
 * the error among the failures. The exit code ({@link ExitCode}) is 1 on any failure (loss,
 * duplicates, a void run, an error), else 3 if a figure missed its target, else 0.
 */
final class BenchRun {

  /** A bench's body: adds its rows to the report. */
  interface Body {
    void run(BenchReport.Builder report) throws Exception;
  }

  /** A bench's body given its parsed options. */
  interface OptionsBody<O> {
    void run(O options, BenchReport.Builder report) throws Exception;
  }

  private BenchRun() {}

  /**
   * A bench's command line: parses {@code args} with {@code parser} (a wrong argument is one line
   * and exit code 2), then runs {@code body} with the options and reports.
   *
   * @param name the bench as the command names it ({@code streams}), or empty for the whole bench
   * @param parser the options' parser; throws {@link IllegalArgumentException} naming what is wrong
   * @return the exit code
   */
  static <O> int cli(
      String name,
      String[] args,
      Path outDir,
      PrintStream out,
      PrintStream err,
      Function<String[], O> parser,
      OptionsBody<O> body) {
    String bench = name.isEmpty() ? "biometer bench" : "biometer bench " + name;
    O options;
    try {
      options = parser.apply(args);
    } catch (IllegalArgumentException e) {
      err.println(bench + ": " + e.getMessage() + "; try ./biometer bench --help");
      return ExitCode.USAGE.code();
    }
    String command = "./" + bench + (args.length == 0 ? "" : " " + String.join(" ", args));
    String file = name.isEmpty() ? "bench" : "bench-" + name;
    return run(command, outDir, file, out, err, report -> body.run(options, report));
  }

  /**
   * Runs {@code body} and reports.
   *
   * @param command the command line, as the table states it
   * @param outDir folder for {@code <file>.json} and {@code <file>.md}
   * @return the exit code: 0, 1 if something failed, 3 if a figure missed its target
   */
  static int run(
      String command, Path outDir, String file, PrintStream out, PrintStream err, Body body) {
    Machine machine = Machine.now();
    CpuUse cpu = CpuUse.now();
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t0 = System.nanoTime();
    BenchReport.Builder b = new BenchReport.Builder();
    try {
      body.run(b);
    } catch (Exception e) {
      err.println("biometer bench: " + e);
      e.printStackTrace(err);
      b.failure("error: " + e);
    }
    BenchReport report =
        b.build(command, started.toString(), (System.nanoTime() - t0) / 60e9, machine.ended(cpu));
    out.println();
    out.print(report.markdown());
    try {
      var files = report.write(outDir, file);
      err.println("biometer bench: wrote " + files.get(0) + " and " + files.get(1));
    } catch (java.io.IOException e) {
      err.println("biometer bench: could not write the table into " + outDir + ": " + e);
      return ExitCode.FAILED.code();
    }
    ExitCode exit = ExitCode.of(report);
    switch (exit) {
      case FAILED -> err.println("biometer bench: FAILED: " + String.join("; ", report.failures()));
      case MISSED_TARGET ->
          err.println(
              "biometer bench: missed targets (exit code 3): "
                  + String.join("; ", report.missed()));
      default -> {}
    }
    return exit.code();
  }
}
