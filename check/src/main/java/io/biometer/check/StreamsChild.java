package io.biometer.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A streams-app instance in a child JVM ({@code io.biometer.streams.StreamsApp --config FILE}), so
 * that the truth check can SIGKILL it and start it again over the same state folder.
 */
final class StreamsChild implements AutoCloseable {

  private final List<String> command;
  private final Path log;
  private Process process;

  StreamsChild(Path dir, Map<String, Object> config) throws IOException {
    Files.createDirectories(dir);
    StringBuilder props = new StringBuilder("# written by biometer's truth check\n");
    config.forEach(
        (k, v) ->
            props
                .append(k)
                .append('=')
                .append(String.valueOf(v).replace("\\", "\\\\"))
                .append('\n'));
    Path file = dir.resolve("streams.properties");
    // In secure mode it holds the streams principal's login: readable by its owner only.
    io.biometer.devstack.security.SecureFiles.write(file, props.toString());
    this.log = dir.resolve("streams.out");
    this.command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            "io.biometer.streams.StreamsApp",
            "--config",
            file.toString());
  }

  synchronized void start() throws IOException {
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
  }

  /** SIGKILL: no shutdown hook, no clean close, no commit. */
  synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  Path log() {
    return log;
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
