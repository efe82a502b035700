package io.biometer.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusLineTest {

  private static StatusLine.Sample sample(
      long nanos, double in, double clean, Map<String, Long> rows, long lag) {
    return new StatusLine.Sample(nanos, in, clean, 1234, 2, 1, 3, rows, lag, 5, 4);
  }

  @Test
  void showsRatesOverTheIntervalAndCountsAsTheyAre() {
    Map<String, Long> rows = new LinkedHashMap<>();
    rows.put("readings", 45_120L);
    rows.put("alerts", 12L);
    rows.put("daily_aggregates", 0L);
    String line =
        StatusLine.format(
            sample(0, 1_000, 500, rows, 0), sample(2_000_000_000L, 3_000, 1_500, rows, 19));
    assertThat(line)
        .isEqualTo(
            "in 1,000/s  clean 500/s  dups 1,234  alerts active 3  dlq 2 + connect 1"
                + "  rows readings 45,120 alerts 12 daily_aggregates 0  lag 19"
                + "  commands 5 delivered 4 answered");
  }

  @Test
  void aPartThatIsOffOrDidNotAnswerShowsADash() {
    String line =
        StatusLine.format(
            new StatusLine.Sample(0, -1, -1, -1, -1, -1, -1, Map.of(), -1, -1, -1),
            new StatusLine.Sample(1_000_000_000L, -1, -1, -1, -1, -1, -1, Map.of(), -1, -1, -1));
    assertThat(line)
        .isEqualTo("in -/s  clean -/s  dups -  alerts active -  dlq - + connect -  lag -");
  }
}
