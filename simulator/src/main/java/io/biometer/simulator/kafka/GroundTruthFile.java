package io.biometer.simulator.kafka;

import io.biometer.simulator.engine.GroundTruth;
import io.biometer.simulator.model.Episode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The ground truth as JSON lines, one object per event, with an {@code event} field: {@code
 * episode}, {@code duplicated}, {@code no_sink_awake}, {@code meter_batch}, {@code spooled}, {@code
 * lost}. Times are ISO-8601 UTC. Thread-safe; appends to an existing file.
 */
public final class GroundTruthFile implements GroundTruth, AutoCloseable {

  private final Path path;
  private final BufferedWriter out;

  public GroundTruthFile(Path path) {
    this.path = path;
    try {
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      this.out =
          Files.newBufferedWriter(
              path,
              java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the ground truth to " + path + ": " + e.getMessage(), e);
    }
  }

  private synchronized void line(String json) {
    try {
      out.write(json);
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the ground truth to " + path + ": " + e.getMessage(), e);
    }
  }

  private static String t(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  private static String q(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  @Override
  public void episode(String deviceId, Episode e) {
    line(
        "{\"event\":\"episode\",\"device\":"
            + q(deviceId)
            + ",\"kind\":\""
            + e.kind()
            + "\",\"start\":\""
            + t(e.start())
            + "\",\"end\":\""
            + t(e.end())
            + "\",\"rampMillis\":"
            + e.rampMillis()
            + "}");
  }

  @Override
  public void duplicated(String deviceId, long sequence, int copies) {
    line(
        "{\"event\":\"duplicated\",\"device\":"
            + q(deviceId)
            + ",\"sequence\":"
            + sequence
            + ",\"copies\":"
            + copies
            + "}");
  }

  @Override
  public void noSinkAwake(String deviceId, long sequence, long eventTime) {
    line(
        "{\"event\":\"no_sink_awake\",\"device\":"
            + q(deviceId)
            + ",\"sequence\":"
            + sequence
            + ",\"eventTime\":\""
            + t(eventTime)
            + "\"}");
  }

  @Override
  public void meterBatch(
      String deviceId, String batchId, int samples, long from, long to, long uploadedAt) {
    line(
        "{\"event\":\"meter_batch\",\"device\":"
            + q(deviceId)
            + ",\"batch\":"
            + q(batchId)
            + ",\"samples\":"
            + samples
            + ",\"from\":\""
            + t(from)
            + "\",\"to\":\""
            + t(to)
            + "\",\"uploadedAt\":\""
            + t(uploadedAt)
            + "\"}");
  }

  @Override
  public void spooled(String topic, String key, long sequence) {
    line(
        "{\"event\":\"spooled\",\"topic\":"
            + q(topic)
            + ",\"key\":"
            + q(key)
            + ",\"sequence\":"
            + sequence
            + "}");
  }

  @Override
  public void lost(String topic, String key, long sequence, String why) {
    line(
        "{\"event\":\"lost\",\"topic\":"
            + q(topic)
            + ",\"key\":"
            + q(key)
            + ",\"sequence\":"
            + sequence
            + ",\"why\":"
            + q(why)
            + "}");
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot close the ground truth " + path + ": " + e.getMessage(), e);
    }
  }
}
