package io.biometer.bench;

import io.biometer.devstack.LocalStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * The simulator bench's baseline: Kafka's own {@code ProducerPerformance}, run in this JVM with the
 * simulator's producer settings and record size, its records/s read from what it prints.
 */
final class ProducerPerformanceRun {

  /** The topic it writes. */
  static final String TOPIC = "bench.producer-performance";

  private static final Pattern PP_SUMMARY =
      Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\)");

  private ProducerPerformanceRun() {}

  /** Runs Kafka's ProducerPerformance in this JVM and returns its records/s. */
  static double measure(
      LocalStack stack, Map<String, Object> producer, int recordSize, long records)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--topic",
                TOPIC,
                "--num-records",
                Long.toString(records),
                "--record-size",
                Integer.toString(recordSize),
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + stack.bootstrapServers()));
    producer.entrySet().stream()
        .filter(e -> !e.getKey().equals("client.id"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> args.add(e.getKey() + "=" + e.getValue()));
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ProducerPerformance.main(args.toArray(String[]::new));
    } finally {
      System.setOut(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    Matcher m = PP_SUMMARY.matcher(text);
    double last = -1;
    while (m.find()) {
      if (Long.parseLong(m.group(1)) == records) {
        last = Double.parseDouble(m.group(2));
      }
    }
    if (last < 0) {
      throw new IllegalStateException("ProducerPerformance printed no summary:\n" + text);
    }
    return last;
  }
}
