package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The commands bench's ledger: latencies from the due time of each measured command, loss over
 * every command sent, a second receipt counted as twice, and answers only where they are awaited.
 */
class CommandLedgerTest {

  private static final long MS = 1_000_000;

  @Test
  void theLatencyRunsFromWhenTheCommandWasDueToItsReceipt() {
    CommandLedger l = new CommandLedger(true);
    l.sent("a", 100 * MS, true);
    l.sent("b", 101 * MS, true);
    l.received("a", 112 * MS);
    l.received("b", 131 * MS);
    l.answered("a", 140 * MS);

    CommandLedger.Summary s = l.summary();
    assertThat(s.delivery().getTotalCount()).isEqualTo(2);
    // In microseconds, to the histogram's 3 significant digits.
    assertThat(s.delivery().getMinValue()).isCloseTo(12_000L, withinPercentage(0.1));
    assertThat(s.delivery().getMaxValue()).isCloseTo(30_000L, withinPercentage(0.1));
    assertThat(s.roundTrip().getTotalCount()).isEqualTo(1);
    assertThat(s.roundTrip().getMaxValue()).isCloseTo(40_000L, withinPercentage(0.1));
    assertThat(s.measuredReceived()).isEqualTo(2);
    assertThat(s.measuredAnswered()).isEqualTo(1);
    assertThat(l.unanswered()).isEqualTo(1);
  }

  @Test
  void warmUpCommandsCountForLossButNotForLatency() {
    CommandLedger l = new CommandLedger(true);
    l.sent("warm", 0, false);
    l.sent("lost-in-warm-up", 1 * MS, false);
    l.sent("measured", 2 * MS, true);
    l.received("warm", 500 * MS);
    l.received("measured", 3 * MS);

    CommandLedger.Summary s = l.summary();
    assertThat(s.delivery().getTotalCount()).isEqualTo(1);
    assertThat(s.delivery().getMaxValue()).isLessThan(2_000);
    assertThat(s.sent()).isEqualTo(3);
    assertThat(s.measured()).isEqualTo(1);
    assertThat(s.lost()).isEqualTo(1);
    assertThat(l.unreceived()).isEqualTo(1);
  }

  @Test
  void aSecondReceiptIsCountedAsTwiceAndAnUnknownIdAsAStranger() {
    CommandLedger l = new CommandLedger(true);
    l.sent("a", 0, true);
    l.received("a", 5 * MS);
    l.received("a", 9 * MS);
    l.received("never-sent", 9 * MS);

    CommandLedger.Summary s = l.summary();
    assertThat(s.twice()).isEqualTo(1);
    assertThat(s.strangers()).isEqualTo(1);
    assertThat(s.received()).isEqualTo(1);
    assertThat(s.lost()).isZero();
    assertThat(s.delivery().getTotalCount()).isEqualTo(1);
  }

  @Test
  void theBaselineAwaitsNoAnswers() {
    CommandLedger l = new CommandLedger(false);
    l.sent("a", 0, true);
    l.received("a", MS);

    assertThat(l.unanswered()).isZero();
    assertThat(l.summary().measuredAnswered()).isEqualTo(-1);
  }

  @Test
  void responsesOtherThanOkAreCountedByStatusForCommandsOfThisRunOnly() {
    CommandLedger l = new CommandLedger(true);
    l.sent("a", 0, true);
    l.sent("b", 0, true);
    l.status("a", "EXPIRED");
    l.status("b", "EXPIRED");
    l.status("someone-else's", "FORBIDDEN");

    assertThat(l.summary().otherStatuses()).isEqualTo(Map.of("EXPIRED", 2L));
  }
}
