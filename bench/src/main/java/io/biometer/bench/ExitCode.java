package io.biometer.bench;

/**
 * What {@code ./biometer bench} exits with. A failure (loss, duplicates, a void run, an error)
 * outranks a missed target: a run with both exits {@link #FAILED}.
 */
enum ExitCode {
  /** Every check held and every target with a verdict was met. */
  OK(0, "every check held and every target with a verdict was met"),
  /** Something failed: readings lost or duplicated, a void run, an error. */
  FAILED(1, "something failed: readings lost or duplicated, a void round, an error"),
  /** The command line was wrong. */
  USAGE(2, "the command line was wrong"),
  /** The run succeeded, but at least one figure missed its target. */
  MISSED_TARGET(3, "the run succeeded but a figure missed its target");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** The process exit code. */
  int code() {
    return code;
  }

  /** What it means, for {@code --help}. */
  String meaning() {
    return meaning;
  }

  /** The exit code of a finished run. */
  static ExitCode of(BenchReport report) {
    if (!report.succeeded()) {
      return FAILED;
    }
    return report.missed().isEmpty() ? OK : MISSED_TARGET;
  }

  /** The exit codes as {@code --help} lists them, one line each. */
  static String help() {
    StringBuilder b = new StringBuilder("exit codes:\n");
    for (ExitCode c : values()) {
      b.append("  ").append(c.code).append("  ").append(c.meaning).append('\n');
    }
    return b.toString();
  }
}
