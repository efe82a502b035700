package io.biometer.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The truth check in {@code verify}: the whole scenario at its small default scale, with a
 * transaction aborted inside the live streams instance (the fault a process kill cannot show: state
 * that outlives an abort). The other faults run in {@link TruthCheckFaultsIT} ({@code -Pfaults}).
 */
class TruthCheckIT {

  @Test
  void everyRowHoldsWithATransactionAbortedInsideTheLiveInstance() throws Exception {
    assertHolds(TruthCheck.Fault.TRANSACTION_ABORT);
  }

  /**
   * The secure mode (issue 16): the same scenario with every part on its own principal and ACLs
   * (the simulator's connections SASL_SSL through the gate too), the registry and QuestDB behind
   * passwords; every row holds as in plain mode.
   */
  @Test
  void everyRowHoldsInSecureMode() throws Exception {
    assertHolds(TruthCheck.Fault.NONE, "--secure");
  }

  /** Runs the check with {@code fault}; the table (printed and as JSON in target/) must hold. */
  static void assertHolds(TruthCheck.Fault fault, String... more) throws Exception {
    String name = fault.id() + (more.length > 0 ? "-secure" : "");
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of("--fault=" + fault.id(), "--out=target/check-" + name));
    args.addAll(java.util.List.of(more));
    TruthCheck.Options o = CheckApp.parse(args.toArray(String[]::new));
    assertThat(o.secure()).isEqualTo(args.contains("--secure"));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    TruthTable table;
    try (PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      table = TruthCheck.run(o, new Tee(log, System.out));
      table.print(new Tee(log, System.out));
    }
    table.writeJson(Path.of("target", "check-" + name, "truth-table.json"));
    assertThat(table.holds())
        .as(
            "every row of the truth table holds (%s):%n%s",
            fault.id(), buf.toString(StandardCharsets.UTF_8))
        .isTrue();
    assertThat(table.rows())
        .extracting(TruthTable.Row::group)
        .contains("readings", "dedup", "alerts", "aggregates", "ledger", "dlq", "spool", "meters");
  }

  /** Prints to two streams. */
  private static final class Tee extends PrintStream {
    private final PrintStream other;

    Tee(PrintStream a, PrintStream b) {
      super(a, true, StandardCharsets.UTF_8);
      this.other = b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      super.write(b, off, len);
      other.write(b, off, len);
    }

    @Override
    public void flush() {
      super.flush();
      other.flush();
    }
  }
}
