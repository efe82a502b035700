package io.biometer.bench;

import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one latency run measured: event-to-alert of the measured readings' alerts, their
 * produced-to-visible time, the warm-up's event-to-alert; the stream thread's commits; with a
 * landing connector, event-to-row of the measured readings and how many never became rows (null and
 * 0 without one).
 */
record AlertLatency(
    Histogram eventToAlert,
    Histogram producedToVisible,
    Histogram warmUp,
    double commitAvgMs,
    double commitMaxMs,
    double commitPeriodMs,
    Histogram toRow,
    long unseenRows) {

  String commits() {
    return String.format(
        Locale.ROOT, "%.0f / %.0f ms; %.0f ms", commitAvgMs, commitMaxMs, commitPeriodMs);
  }

  Map<String, Object> values() {
    Map<String, Object> m = new java.util.LinkedHashMap<>(Fmt.latency(eventToAlert));
    m.put("producedToVisible", Fmt.latency(producedToVisible));
    m.put("warmUp", Fmt.latency(warmUp));
    m.put("commitAvgMs", commitAvgMs);
    m.put("commitMaxMs", commitMaxMs);
    m.put("commitPeriodMs", commitPeriodMs);
    if (toRow != null) {
      m.put("eventToRow", Fmt.latency(toRow));
      m.put("unseenRows", unseenRows);
    }
    return m;
  }
}
