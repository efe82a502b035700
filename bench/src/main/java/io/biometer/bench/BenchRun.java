package io.biometer.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Runs a bench and hands its table over: prints the Markdown, writes it and the JSON into the
 * output folder, and says where. An error ends the bench but still writes what was measured, with
 * the error among the failures; the exit code is non-zero on any failure (loss, duplicates, a void
 * run, an error) and zero otherwise, whether or not a figure met its target.
 */
final class BenchRun {

  /** A bench's body: adds its rows to the report. */
  interface Body {
    void run(BenchReport.Builder report) throws Exception;
  }

  private BenchRun() {}

  /**
   * Runs {@code body} and reports.
   *
   * @param command the command line, as the table states it
   * @param outDir folder for {@code <file>.json} and {@code <file>.md}
   * @return 0, or 1 if something failed
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
      return 1;
    }
    if (!report.succeeded()) {
      err.println("biometer bench: FAILED: " + String.join("; ", report.failures()));
      return 1;
    }
    return 0;
  }
}
