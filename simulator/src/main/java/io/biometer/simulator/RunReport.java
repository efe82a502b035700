package io.biometer.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The end-of-run report of the simulator, printed as a table and written as JSON.
 *
 * @param wallSeconds how long the run took
 * @param simulatedFrom simulated start (ISO-8601)
 * @param simulatedTo simulated end (ISO-8601)
 * @param devices devices in the population
 * @param readings body readings measured (before relaying)
 * @param recordsSent records acknowledged by Kafka (copies, meter samples, statuses, devices,
 *     replays)
 * @param recordsPerSecond recordsSent per wall second
 * @param bytes bytes of keys and values acknowledged
 * @param duplicatesOnPurpose extra copies relayed by a second sink on purpose
 * @param noSinkAwake readings not relayed because both sinks slept
 * @param spooled records kept in the spool while Kafka was unreachable
 * @param replayed records sent again from the spool
 * @param stillSpooled records left in the spool at the end (kept for the next run)
 * @param lostSpoolFull records lost because the spool was full
 * @param rejected records Kafka refused for good
 * @param errors failed sends (each spooled or counted lost)
 * @param latencyP50Millis producer send latency, median
 * @param latencyP99Millis producer send latency, 99th percentile
 * @param latencyP999Millis producer send latency, 99.9th percentile
 * @param episodes abnormal episodes injected
 * @param sinkStateChanges sink state changes published
 * @param meterBatches meter batches uploaded
 * @param meterSamples meter samples uploaded
 */
public record RunReport(
    double wallSeconds,
    String simulatedFrom,
    String simulatedTo,
    long devices,
    long readings,
    long recordsSent,
    double recordsPerSecond,
    long bytes,
    long duplicatesOnPurpose,
    long noSinkAwake,
    long spooled,
    long replayed,
    long stillSpooled,
    long lostSpoolFull,
    long rejected,
    long errors,
    double latencyP50Millis,
    double latencyP99Millis,
    double latencyP999Millis,
    long episodes,
    long sinkStateChanges,
    long meterBatches,
    long meterSamples) {

  /** The report as a table for people. */
  public String table() {
    StringBuilder b = new StringBuilder();
    row(b, "wall time", String.format(Locale.ROOT, "%.1f s", wallSeconds));
    row(b, "simulated", simulatedFrom + " .. " + simulatedTo);
    row(b, "devices", devices);
    row(b, "readings measured", readings);
    row(b, "records sent", recordsSent);
    row(b, "records/s", String.format(Locale.ROOT, "%.0f", recordsPerSecond));
    row(b, "bytes", bytes);
    row(
        b,
        "send latency p50/p99/p99.9",
        String.format(
            Locale.ROOT,
            "%.1f / %.1f / %.1f ms",
            latencyP50Millis,
            latencyP99Millis,
            latencyP999Millis));
    row(b, "duplicates on purpose", duplicatesOnPurpose);
    row(b, "not relayed (both sinks asleep)", noSinkAwake);
    row(b, "errors", errors);
    row(b, "spooled / replayed / left in spool", spooled + " / " + replayed + " / " + stillSpooled);
    row(b, "lost (spool full)", lostSpoolFull);
    row(b, "rejected by Kafka", rejected);
    row(b, "episodes injected", episodes);
    row(b, "sink state changes", sinkStateChanges);
    row(b, "meter batches / samples", meterBatches + " / " + meterSamples);
    return b.toString();
  }

  private static void row(StringBuilder b, String name, Object value) {
    b.append(String.format(Locale.ROOT, "  %-36s %s%n", name, value));
  }

  /** Writes the report as JSON to {@code path}. */
  public void writeJson(Path path) {
    try {
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(path.toFile(), this);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the report to " + path + ": " + e.getMessage(), e);
    }
  }
}
