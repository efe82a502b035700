package io.biometer.devstack;

import io.questdb.ServerMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * QuestDB in this JVM ({@code org.questdb:questdb}), its tables under one folder, every endpoint
 * bound to one address. Its own log goes to {@code <dir>/log/questdb.log}.
 *
 * <p>Open by default: anyone who reaches its ports may query and write, the PG-wire admin logs in
 * with QuestDB's default password. Started with a {@link QuestDbAuth} it authenticates:
 *
 * <ul>
 *   <li>the HTTP port (REST {@code /exec}, ILP over HTTP {@code /write}, the web console) takes
 *       HTTP Basic with {@link QuestDbAuth#httpUser()}, 401 without or with wrong credentials
 *       ({@link #httpAuthorization()}, {@link #ilpHttpConf()});
 *   <li>PG wire: the admin ({@value #ADMIN_USER}) has {@link QuestDbAuth#pgPassword()}, the
 *       read-only user ({@value #READONLY_USER}) {@link QuestDbAuth#readonlyPassword()} ({@link
 *       #jdbcProperties()}, {@link #readonlyJdbcProperties()});
 *   <li>ILP over TCP is off ({@link #ilpAddress()} is null): QuestDB OSS protects it only with
 *       token (ECDSA key) auth from a file ({@code line.tcp.auth.db.path}), which nothing in
 *       biometer uses; the sink writes ILP over HTTP;
 *   <li>the metrics port ({@link #metricsUrl()}: {@code /metrics} and its health check {@code /})
 *       stays open, with {@code http.health.check.authentication.required=false}, so readiness
 *       probes and Prometheus scrape it without credentials; it serves no data and takes no writes,
 *       and binds the same address as the rest.
 * </ul>
 */
public final class EmbeddedQuestDb implements AutoCloseable {

  /** QuestDB's PG-wire admin user. */
  public static final String ADMIN_USER = "admin";

  /** QuestDB's default password of {@link #ADMIN_USER}, the one it has without authentication. */
  public static final String DEFAULT_ADMIN_PASSWORD = "quest";

  /** QuestDB's read-only PG-wire user, the one Grafana's QuestDB datasource logs in as. */
  public static final String READONLY_USER = "grafana";

  /**
   * Its password without authentication (the same in
   * grafana/provisioning/datasources/datasources.yml); with a {@link QuestDbAuth}, {@link
   * QuestDbAuth#readonlyPassword()}.
   */
  public static final String READONLY_PASSWORD = "grafana-readonly";

  private final Path dir;
  private final Map<String, String> env;
  private ServerMain server;
  private final String host;
  private final int httpPort;
  private final int httpMinPort;
  private final int pgPort;
  private final int ilpPort;
  private final QuestDbAuth auth;

  private EmbeddedQuestDb(
      Path dir,
      Map<String, String> env,
      ServerMain server,
      String host,
      int httpPort,
      int httpMinPort,
      int pgPort,
      int ilpPort,
      QuestDbAuth auth) {
    this.dir = dir;
    this.env = env;
    this.server = server;
    this.host = host;
    this.httpPort = httpPort;
    this.httpMinPort = httpMinPort;
    this.pgPort = pgPort;
    this.ilpPort = ilpPort;
    this.auth = auth;
  }

  /** Starts QuestDB on {@code dir}, open, and waits until it accepts connections. */
  public static EmbeddedQuestDb start(
      Path dir, String host, int httpPort, int httpMinPort, int pgPort, int ilpPort)
      throws IOException {
    return start(dir, host, httpPort, httpMinPort, pgPort, ilpPort, null);
  }

  /**
   * Starts QuestDB on {@code dir} and waits until it accepts connections; with {@code auth} it
   * authenticates as the class comment says, and {@code ilpPort} is not bound.
   *
   * @param auth the credentials, or null for no authentication (as {@link #start(Path, String, int,
   *     int, int, int)})
   */
  public static EmbeddedQuestDb start(
      Path dir,
      String host,
      int httpPort,
      int httpMinPort,
      int pgPort,
      int ilpPort,
      QuestDbAuth auth)
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
    if (auth != null) {
      env.put("QDB_HTTP_USER", auth.httpUser());
      env.put("QDB_HTTP_PASSWORD", auth.httpPassword());
      // The metrics port's health check and /metrics stay open for probes and Prometheus.
      env.put("QDB_HTTP_HEALTH_CHECK_AUTHENTICATION_REQUIRED", "false");
      env.put("QDB_PG_USER", ADMIN_USER);
      env.put("QDB_PG_PASSWORD", auth.pgPassword());
      env.put("QDB_PG_READONLY_PASSWORD", auth.readonlyPassword());
      // ILP over TCP has no password in QuestDB OSS, only token files: off rather than open.
      env.put("QDB_LINE_TCP_ENABLED", "false");
    }
    ServerMain server = ServerMain.create(dir.toString(), env);
    server.start();
    server.awaitStartup();
    return new EmbeddedQuestDb(
        dir, Map.copyOf(env), server, host, httpPort, httpMinPort, pgPort, ilpPort, auth);
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

  /** True if it was started with a {@link QuestDbAuth}. */
  public boolean authEnabled() {
    return auth != null;
  }

  /**
   * The web console, REST API and ILP over HTTP, e.g. {@code http://127.0.0.1:9000}; with
   * authentication a request needs {@link #httpAuthorization()}.
   */
  public String httpUrl() {
    return "http://" + host + ":" + httpPort;
  }

  /**
   * The value of the {@code Authorization} header for {@link #httpUrl()} ({@code Basic ...}), or
   * null without authentication.
   */
  public String httpAuthorization() {
    if (auth == null) {
      return null;
    }
    String userPass = auth.httpUser() + ":" + auth.httpPassword();
    return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * QuestDB's client configuration for ILP over HTTP to this server ({@code http::addr=host:port;},
   * with {@code username=...;password=...;} under authentication), as the sink's {@code
   * client.conf.string} and {@code Sender.fromConfig} take it. It holds the password: keep it out
   * of logs and inline connector configs.
   */
  public String ilpHttpConf() {
    String conf = "http::addr=" + host + ":" + httpPort + ";";
    if (auth != null) {
      conf +=
          "username="
              + confValue(auth.httpUser())
              + ";password="
              + confValue(auth.httpPassword())
              + ";";
    }
    return conf;
  }

  /** A ';' inside a value of a QuestDB client configuration is written ';;'. */
  private static String confValue(String v) {
    return v.replace(";", ";;");
  }

  /**
   * The Prometheus endpoint, on the metrics port; open also under authentication (its health check
   * is {@code /} on the same port).
   */
  public String metricsUrl() {
    return "http://" + host + ":" + httpMinPort + "/metrics";
  }

  /**
   * JDBC URL of the PostgreSQL wire endpoint; log in with {@link #jdbcProperties()} (the admin) or
   * {@link #readonlyJdbcProperties()}.
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + pgPort + "/qdb";
  }

  /** The PG-wire admin's user, {@value #ADMIN_USER}. */
  public String adminUser() {
    return ADMIN_USER;
  }

  /** The PG-wire admin's password: {@value #DEFAULT_ADMIN_PASSWORD}, or the generated one. */
  public String adminPassword() {
    return auth == null ? DEFAULT_ADMIN_PASSWORD : auth.pgPassword();
  }

  /** The read-only PG-wire user's password: {@value #READONLY_PASSWORD}, or the generated one. */
  public String readonlyPassword() {
    return auth == null ? READONLY_PASSWORD : auth.readonlyPassword();
  }

  /** JDBC properties ({@code user}, {@code password}) of the PG-wire admin. */
  public Properties jdbcProperties() {
    return jdbc(ADMIN_USER, adminPassword());
  }

  /** JDBC properties ({@code user}, {@code password}) of the read-only user. */
  public Properties readonlyJdbcProperties() {
    return jdbc(READONLY_USER, readonlyPassword());
  }

  private static Properties jdbc(String user, String password) {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return p;
  }

  /**
   * {@code host:port} of ILP over TCP, or null under authentication, where ILP over TCP is off (see
   * the class comment).
   */
  public String ilpAddress() {
    return auth == null ? host + ":" + ilpPort : null;
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
