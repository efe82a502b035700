package io.biometer.check;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * {@code ./biometer check [options]}: the truth check (see {@link TruthCheck}). Prints the table,
 * writes it as JSON, exits 0 only when every row holds (1 when one does not, 2 for bad options).
 */
public final class CheckApp {

  private CheckApp() {}

  static final String USAGE =
      """
      usage: ./biometer check [--fault=F] [--seed=N] [--days=D] [--speed=S] [--patients=N]
                              [--meters=N] [--gate=DURATION] [--timeout=DURATION] [--out=DIR]
        Runs a seeded scenario on a private embedded stack (broker, registry, streams app,
        Connect, QuestDB on free loopback ports, deleted afterwards) and prints one row per check:
        expected (from the ground truth and the raw input), observed (QuestDB and the topics),
        verdict. Exit code 0 only when every row holds.
        --fault=F      none (default), broker-restart, streams-kill, connect-kill,
                       questdb-outage (30 s), transaction-abort (inside the live instance)
        --seed=N       the simulator's seed (default 42)
        --days=D       simulated days (default 2.6: two closed days and a running one)
        --speed=S      simulated ms per wall ms (default 4320: 2.6 days in 52 s)
        --patients=N   patients, 10 body sensors and 2 sinks each (default 2)
        --meters=N     soil meters (default 2)
        --gate=D       how long Kafka is unreachable from the simulator, ISO-8601 (default PT8S)
        --timeout=D    the most to wait for the pipeline to settle afterwards (default PT4M)
        --out=DIR      where truth-table.json goes (default target/check)
        --secure       run the stack in secure mode (security.enabled: SASL_SSL, ACLs, passwords)
      """;

  public static void main(String[] args) throws Exception {
    // Before any logger exists: the private stack's logs go to a file, not over the table.
    Path out = outOf(args);
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("biometer.check.log", out.resolve("check.log").toString());
      System.setProperty("logback.configurationFile", "check-logback.xml");
    }
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    TruthCheck.Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("biometer check: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (o == null) {
      out.print(USAGE);
      return 0;
    }
    TruthTable table = TruthCheck.run(o, out);
    table.print(out);
    Path json = o.out().resolve("truth-table.json");
    table.writeJson(json);
    out.println(
        "written: "
            + json.toAbsolutePath()
            + " (the stack's log: "
            + o.out().resolve("check.log")
            + ")");
    return table.holds() ? 0 : 1;
  }

  private static Path outOf(String[] args) {
    for (String a : args) {
      if (a.startsWith("--out=")) {
        return Path.of(a.substring("--out=".length()));
      }
    }
    return DEFAULT_OUT;
  }

  private static final Path DEFAULT_OUT = Path.of("target", "check");

  /** The options, or null for --help. */
  static TruthCheck.Options parse(String[] args) {
    long seed = 42;
    TruthCheck.Fault fault = TruthCheck.Fault.NONE;
    double days = 2.6;
    double speed = 4320;
    int patients = 2;
    int meters = 2;
    Duration gate = Duration.ofSeconds(8);
    Duration timeout = Duration.ofMinutes(4);
    Path out = DEFAULT_OUT;
    boolean secure = false;
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help")) {
        return null;
      }
      if (a.equals("--secure")) {
        secure = true;
        continue;
      }
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("unknown argument '" + a + "'");
      }
      String k = a.substring(2, eq);
      String v = a.substring(eq + 1);
      try {
        switch (k) {
          case "fault" -> fault = TruthCheck.Fault.of(v);
          case "seed" -> seed = Long.parseLong(v);
          case "days" -> days = positive(k, Double.parseDouble(v));
          case "speed" -> speed = positive(k, Double.parseDouble(v));
          case "patients" -> patients = (int) positive(k, Integer.parseInt(v));
          case "meters" -> meters = (int) positive(k, Integer.parseInt(v));
          case "gate" -> gate = positive(k, Duration.parse(v));
          case "timeout" -> timeout = positive(k, Duration.parse(v));
          case "out" -> out = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option --" + k);
        }
      } catch (NumberFormatException | DateTimeParseException e) {
        throw new IllegalArgumentException("--" + k + ": cannot read '" + v + "'");
      }
    }
    if (days < 2.2) {
      throw new IllegalArgumentException(
          "--days must be at least 2.2: the first day closes 36 h (the grace) after its end");
    }
    return new TruthCheck.Options(
        seed, fault, days, speed, patients, meters, gate, timeout, out, secure);
  }

  private static Duration positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("--" + key + " must be positive, got " + d);
    }
    return d;
  }

  private static double positive(String key, double v) {
    if (!(v > 0)) {
      throw new IllegalArgumentException("--" + key + " must be positive, got " + v);
    }
    return v;
  }
}
