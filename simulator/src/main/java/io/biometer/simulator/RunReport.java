package io.biometer.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The end-of-run report of the simulator, printed as a table and written as JSON.
 *
 * @param wallSeconds how long the run took
 * @param simulatedFrom simulated start (ISO-8601)
 * @param simulatedTo simulated end (ISO-8601)
 * @param devices devices in the population
 * @param readings body readings measured (before relaying)
 * @param recordsSent records the simulator itself had acknowledged by Kafka (copies, meter samples,
 *     statuses, devices, replays; through the gateway only devices, credentials and statuses)
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
 * @param via how readings reached Kafka: kafka, or the gateway's protocol
 * @param gateway what became of the readings sent through the gateway; null via kafka
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
    long meterSamples,
    String via,
    @JsonInclude(JsonInclude.Include.NON_NULL) Gateway gateway) {

  /**
   * The outcome of every reading the simulated devices sent through the gateway. Each reading
   * offered ends up accepted, replay, refused, lost (store full) or left at exit.
   *
   * @param address the gateway's host and port
   * @param offered reading copies given to a sink or meter to send
   * @param bodyAccepted body readings the gateway accepted (Kafka has them)
   * @param meterAccepted meter samples the gateway accepted
   * @param replays readings answered replay: accepted before, so delivered
   * @param resent sends of a reading after its first (lost connection, retry answer)
   * @param retryAnswers answers unavailable or rate_limited, after which the reading was kept
   * @param refused readings refused for good, by the gateway's reason
   * @param lostStoreFull readings lost because the devices held gateway.store.max already
   * @param leftAtExit readings still held at the end: lost with the process
   * @param connects connections opened
   * @param connectionsLost connections that ended while in use
   * @param connectFailures connection attempts that did not reach the gateway
   * @param loginRefusals logins the gateway refused
   * @param timeouts messages unanswered for 30 s, whose connection was then closed
   * @param answerP50Millis time from send to answer, median
   * @param answerP99Millis time from send to answer, 99th percentile
   */
  public record Gateway(
      String address,
      long offered,
      long bodyAccepted,
      long meterAccepted,
      long replays,
      long resent,
      long retryAnswers,
      Map<String, Long> refused,
      long lostStoreFull,
      long leftAtExit,
      long connects,
      long connectionsLost,
      long connectFailures,
      long loginRefusals,
      long timeouts,
      double answerP50Millis,
      double answerP99Millis) {

    /** Copies the refusals. */
    public Gateway {
      refused = Map.copyOf(refused);
    }

    /** Readings refused for good, every reason. */
    public long refusedTotal() {
      return refused.values().stream().mapToLong(Long::longValue).sum();
    }
  }

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
    if (gateway != null) {
      row(b, "via", via + " (" + gateway.address() + ")");
      row(b, "readings given to sinks and meters", gateway.offered());
      row(b, "accepted (body / meter)", gateway.bodyAccepted() + " / " + gateway.meterAccepted());
      row(b, "answered replay (delivered before)", gateway.replays());
      row(b, "sent again / retry answers", gateway.resent() + " / " + gateway.retryAnswers());
      row(
          b,
          "refused by the gateway",
          gateway.refusedTotal() + (gateway.refused().isEmpty() ? "" : " " + gateway.refused()));
      row(
          b,
          "lost (store full) / left at exit",
          gateway.lostStoreFull() + " / " + gateway.leftAtExit());
      row(
          b,
          "connections opened / lost / failed",
          gateway.connects()
              + " / "
              + gateway.connectionsLost()
              + " / "
              + gateway.connectFailures());
      row(
          b,
          "logins refused / answers timed out",
          gateway.loginRefusals() + " / " + gateway.timeouts());
      row(
          b,
          "answer latency p50/p99",
          String.format(
              Locale.ROOT, "%.1f / %.1f ms", gateway.answerP50Millis(), gateway.answerP99Millis()));
    }
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
