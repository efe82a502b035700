package io.biometer.devstack;

import io.questdb.ServerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * QuestDB in this JVM ({@code org.questdb:questdb}), its tables under one folder, every endpoint
 * bound to one address. Its own log goes to {@code <dir>/log/questdb.log}.
 */
public final class EmbeddedQuestDb implements AutoCloseable {

  /** QuestDB's read-only PG-wire user, the one Grafana's QuestDB datasource logs in as. */
  public static final String READONLY_USER = "grafana";

  /** Its password (the same in grafana/provisioning/datasources/datasources.yml). */
  public static final String READONLY_PASSWORD = "grafana-readonly";

  private final Path dir;
  private final Map<String, String> env;
  private ServerMain server;
  private final String host;
  private final int httpPort;
  private final int httpMinPort;
  private final int pgPort;
  private final int ilpPort;

  private EmbeddedQuestDb(
      Path dir,
      Map<String, String> env,
      ServerMain server,
      String host,
      int httpPort,
      int httpMinPort,
      int pgPort,
      int ilpPort) {
    this.dir = dir;
    this.env = env;
    this.server = server;
    this.host = host;
    this.httpPort = httpPort;
    this.httpMinPort = httpMinPort;
    this.pgPort = pgPort;
    this.ilpPort = ilpPort;
  }

  /** Starts QuestDB on {@code dir} and waits until it accepts connections. */
  public static EmbeddedQuestDb start(
      Path dir, String host, int httpPort, int httpMinPort, int pgPort, int ilpPort)
      throws IOException {
    Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(dir.resolve("log"));
    Path logConf = dir.resolve("conf").resolve("log.conf");
    Files.writeString(
        logConf,
        String.join(
            "\n",
            "# written by biometer's local stack on every start",
            "writers=file",
            "w.file.class=io.questdb.log.LogFileWriter",
            "w.file.location=" + dir.resolve("log").resolve("questdb.log"),
            "w.file.level=INFO,ERROR,CRITICAL,ADVISORY",
            ""));
    // QuestDB's log factory is configured once per JVM from the file named by the "out" property.
    if (System.getProperty("out") == null) {
      System.setProperty("out", logConf.toString());
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("QDB_HTTP_BIND_TO", host + ":" + httpPort);
    env.put("QDB_HTTP_MIN_NET_BIND_TO", host + ":" + httpMinPort);
    env.put("QDB_PG_NET_BIND_TO", host + ":" + pgPort);
    env.put("QDB_LINE_TCP_NET_BIND_TO", host + ":" + ilpPort);
    env.put("QDB_LINE_UDP_ENABLED", "false");
    env.put("QDB_TELEMETRY_ENABLED", "false");
    env.put("QDB_METRICS_ENABLED", "true");
    // Grafana's login (grafana/provisioning/datasources/datasources.yml): a PG-wire user that can
    // read but never write, so no dashboard query can change a table.
    env.put("QDB_PG_READONLY_USER_ENABLED", "true");
    env.put("QDB_PG_READONLY_USER", READONLY_USER);
    env.put("QDB_PG_READONLY_PASSWORD", READONLY_PASSWORD);
    ServerMain server = ServerMain.create(dir.toString(), env);
    server.start();
    server.awaitStartup();
    return new EmbeddedQuestDb(
        dir, Map.copyOf(env), server, host, httpPort, httpMinPort, pgPort, ilpPort);
  }

  /**
   * The single number {@code countSql} returns (a {@code count()}), or 0 while its table does not
   * exist: the QuestDB sink creates a table with its first row.
   */
  public static long countIfExists(java.sql.Connection c, String countSql)
      throws java.sql.SQLException {
    try (java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(countSql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      if (String.valueOf(e.getMessage()).contains("does not exist")) {
        return 0;
      }
      throw e;
    }
  }

  /** The web console and REST API, e.g. {@code http://127.0.0.1:9000}. */
  public String httpUrl() {
    return "http://" + host + ":" + httpPort;
  }

  /** The Prometheus endpoint. */
  public String metricsUrl() {
    return "http://" + host + ":" + httpMinPort + "/metrics";
  }

  /** JDBC URL of the PostgreSQL wire endpoint (user admin, password quest). */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + pgPort + "/qdb";
  }

  /** {@code host:port} of ILP over TCP. */
  public String ilpAddress() {
    return host + ":" + ilpPort;
  }

  /** Stops QuestDB (an outage, for tests); {@link #restart} brings it back on the same tables. */
  public synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** Starts QuestDB again after {@link #stop}, on the same folder and ports. */
  public synchronized void restart() {
    if (server == null) {
      server = ServerMain.create(dir.toString(), env);
      server.start();
      server.awaitStartup();
    }
  }

  /** Stops QuestDB; committed tables are on disk. */
  @Override
  public void close() {
    stop();
  }
}
