package io.biometer.connect.questdb;

import io.questdb.ServerMain;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.Map;

/**
 * A real QuestDB in this JVM for the sink's tests: loopback, free ports, stoppable and restartable.
 */
final class TestQuestDb implements AutoCloseable {

  private final Path dir;
  private final int httpPort;
  private final int pgPort;
  private ServerMain server;

  TestQuestDb(Path dir) throws IOException {
    this.dir = dir;
    this.httpPort = freePort();
    this.pgPort = freePort();
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(
        dir.resolve("conf").resolve("log.conf"),
        "writers=file\nw.file.class=io.questdb.log.LogFileWriter\nw.file.location="
            + dir.resolve("questdb.log")
            + "\nw.file.level=ERROR,CRITICAL\n");
    if (System.getProperty("out") == null) {
      System.setProperty("out", dir.resolve("conf").resolve("log.conf").toString());
    }
    start();
  }

  void start() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("QDB_HTTP_BIND_TO", "127.0.0.1:" + httpPort);
    env.put("QDB_HTTP_MIN_ENABLED", "false");
    env.put("QDB_PG_NET_BIND_TO", "127.0.0.1:" + pgPort);
    env.put("QDB_LINE_TCP_ENABLED", "false");
    env.put("QDB_LINE_UDP_ENABLED", "false");
    env.put("QDB_TELEMETRY_ENABLED", "false");
    server = ServerMain.create(dir.toString(), env);
    server.start();
    server.awaitStartup();
  }

  void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  String clientConf() {
    return "http::addr=127.0.0.1:" + httpPort + ";";
  }

  String httpUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  Connection sql() throws java.sql.SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + pgPort + "/qdb", "admin", "quest");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
