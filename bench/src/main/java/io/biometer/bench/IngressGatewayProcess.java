package io.biometer.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bench's handle on the gateway JVM ({@link IngressGatewayMain}): starts it on this JVM's class
 * path, asks it for its heap and CPU, scrapes its {@code /metrics}, and stops it. Its log goes to a
 * file, which an error names.
 */
final class IngressGatewayProcess implements AutoCloseable {

  /** The gateway JVM's options unless this environment variable gives others. */
  static final String JAVA_OPTS_ENV = "BIOMETER_BENCH_GATEWAY_JAVA_OPTS";

  /** The gateway JVM's default options: a heap far above what 10,000 connections need. */
  static final String DEFAULT_JAVA_OPTS = "-Xms256m -Xmx1g -XX:MaxGCPauseMillis=20";

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);

  private final Process process;
  private final Path log;
  private final PrintWriter in;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newHttpClient();
  final int httpPort;
  final int mqttPort;
  final String javaOpts;

  /** Starts the gateway with {@code config} and waits until it listens. */
  IngressGatewayProcess(Map<String, String> config, Path log) throws IOException {
    this.log = log;
    String env = System.getenv(JAVA_OPTS_ENV);
    javaOpts = env == null || env.isBlank() ? DEFAULT_JAVA_OPTS : env.trim();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(javaOpts.split("\\s+")));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(IngressGatewayMain.class.getName());
    config.forEach((k, v) -> cmd.add(k + "=" + v));
    process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    in =
        new PrintWriter(
            new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
            true);
    Thread reader = new Thread(this::read, "biometer-bench-gateway-output");
    reader.setDaemon(true);
    reader.start();
    String ready = answer("ready", Duration.ofSeconds(120));
    String[] ports = ready.split(" ");
    httpPort = Integer.parseInt(ports[1]);
    mqttPort = Integer.parseInt(ports[2]);
  }

  /** Copies the gateway's output to its log; protocol lines go to {@link #answers}. */
  private void read() {
    try (BufferedReader r =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out =
            Files.newOutputStream(
                log, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith(IngressGatewayMain.PREFIX)) {
          answers.add(line.substring(IngressGatewayMain.PREFIX.length()));
        } else {
          out.write((line + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    } catch (IOException e) {
      // the gateway is gone; answer() says so
    }
  }

  /** The next answer, which must start with {@code word}. */
  private String answer(String word, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      String a;
      try {
        a =
            answers.poll(
                Math.min(500, Math.max(1, (end - System.nanoTime()) / 1_000_000)),
                TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the gateway", e);
      }
      if (a != null) {
        if (a.startsWith("failed ")) {
          throw new IllegalStateException(
              "the gateway did not start: " + a.substring(7) + " (its log: " + log + ")");
        }
        if (!a.startsWith(word + " ") && !a.equals(word)) {
          throw new IllegalStateException(
              "the gateway answered '"
                  + a
                  + "' where '"
                  + word
                  + "' was due (its log: "
                  + log
                  + ")");
        }
        return a;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the gateway JVM exited with code " + process.exitValue() + "; its log: " + log);
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            "the gateway did not answer '"
                + word
                + "' within "
                + timeout.toSeconds()
                + " s; its log: "
                + log);
      }
    }
  }

  /** {@code {heap used after full collections, resident set}} in bytes (-1 if unknown). */
  long[] heap() {
    in.println("heap");
    String[] a = answer("heap", Duration.ofSeconds(60)).split(" ");
    return new long[] {Long.parseLong(a[1]), Long.parseLong(a[2])};
  }

  /** The gateway process's CPU time so far, in nanoseconds. */
  long cpuNanos() {
    in.println("cpu");
    return Long.parseLong(answer("cpu", Duration.ofSeconds(30)).split(" ")[1]);
  }

  /** The CPU time of each live thread of the gateway so far, nanoseconds, by thread name. */
  Map<String, Long> threadCpuNanos() {
    in.println("threads");
    String a = answer("threads", Duration.ofSeconds(30));
    Map<String, Long> out = new LinkedHashMap<>();
    if (a.length() > "threads ".length()) {
      String[] f = a.substring("threads ".length()).split("\t");
      for (int i = 0; i + 1 < f.length; i += 2) {
        out.merge(f[i], Long.parseLong(f[i + 1]), Long::sum);
      }
    }
    return out;
  }

  /** The gateway's Prometheus exposition from {@code GET /metrics}. */
  String scrape() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /metrics of the gateway answered " + r.statusCode());
    }
    return r.body();
  }

  /**
   * The sum of the samples of {@code metric} whose labels include {@code protocol="<protocol>"},
   * grouped by the value of label {@code by} (or all under "" if {@code by} is null).
   */
  static Map<String, Double> samples(String text, String metric, String protocol, String by) {
    Map<String, Double> out = new LinkedHashMap<>();
    Matcher m = SAMPLE.matcher(text);
    while (m.find()) {
      if (!m.group(1).equals(metric) || !m.group(2).contains("protocol=\"" + protocol + "\"")) {
        continue;
      }
      String key = "";
      if (by != null) {
        Matcher l = Pattern.compile(by + "=\"([^\"]*)\"").matcher(m.group(2));
        key = l.find() ? l.group(1) : "";
      }
      out.merge(key, Double.parseDouble(m.group(3)), Double::sum);
    }
    return out;
  }

  /** Where the gateway's log is. */
  Path log() {
    return log;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      in.println("stop");
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    in.close();
  }
}
