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

  /** Runs the check with {@code fault}; the table (printed and as JSON in target/) must hold. */
  static void assertHolds(TruthCheck.Fault fault) throws Exception {
    TruthCheck.Options o =
        CheckApp.parse(new String[] {"--fault=" + fault.id(), "--out=target/check-" + fault.id()});
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    TruthTable table;
    try (PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      table = TruthCheck.run(o, new Tee(log, System.out));
      table.print(new Tee(log, System.out));
    }
    table.writeJson(Path.of("target", "check-" + fault.id(), "truth-table.json"));
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
