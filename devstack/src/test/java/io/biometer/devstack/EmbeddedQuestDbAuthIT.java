package io.biometer.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.questdb.client.Sender;
import io.questdb.client.cutlass.line.LineSenderException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EmbeddedQuestDb} started with a {@link QuestDbAuth}: every way in refuses a caller without
 * the right credentials and lets the right one in. One QuestDB for the class.
 */
class EmbeddedQuestDbAuthIT {

  private static final QuestDbAuth AUTH =
      new QuestDbAuth("ingest", "http-Secret;1", "pg-Secret-2", "ro-Secret-3");
  private static final String HOST = "127.0.0.1";

  @TempDir static Path dir;

  private static EmbeddedQuestDb db;
  private static int ilpPort;
  private static int metricsPort;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    ilpPort = FreePorts.pick();
    metricsPort = FreePorts.pick();
    db =
        EmbeddedQuestDb.start(
            dir.resolve("questdb"),
            HOST,
            FreePorts.pick(),
            metricsPort,
            FreePorts.pick(),
            ilpPort,
            AUTH);
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void restWithoutCredentialsIsUnauthorized() throws Exception {
    assertThat(exec("SELECT 1", null).statusCode()).isEqualTo(401);
  }

  @Test
  void restWithAWrongPasswordIsUnauthorized() throws Exception {
    assertThat(exec("SELECT 1", basic(AUTH.httpUser(), "wrong")).statusCode()).isEqualTo(401);
    assertThat(exec("SELECT 1", basic("admin", AUTH.httpPassword())).statusCode()).isEqualTo(401);
  }

  @Test
  void restWithTheCredentialsRunsSql() throws Exception {
    HttpResponse<String> r = exec("SELECT 41 + 1 AS answer", db.httpAuthorization());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"dataset\":[[42]]");
  }

  @Test
  void ilpOverHttpWithoutCredentialsIsRefused() throws Exception {
    assertThatThrownBy(
            () -> {
              try (Sender s = Sender.fromConfig("http::addr=" + db.httpUrl().substring(7) + ";")) {
                s.table("ilp_anonymous").longColumn("v", 1).atNow();
                s.flush();
              }
            })
        .isInstanceOf(LineSenderException.class)
        .hasMessage(
            "Could not flush buffer: HTTP endpoint authentication error: Unauthorized\r\n"
                + " [http-status=401]");
    assertThat(count("SELECT count() FROM tables() WHERE table_name = 'ilp_anonymous'")).isZero();
  }

  @Test
  void ilpOverHttpWithTheCredentialsLandsRows() throws Exception {
    assertThat(db.ilpHttpConf()).contains("username=ingest;").contains("password=http-Secret;;1;");
    try (Sender s = Sender.fromConfig(db.ilpHttpConf())) {
      for (int i = 0; i < 3; i++) {
        s.table("ilp_ingest").symbol("device_id", "d-" + i).longColumn("v", i).atNow();
      }
      s.flush();
    }
    // ILP over HTTP commits before it answers; the PG view of the table may lag a moment.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long rows = -1;
    while (true) {
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties())) {
        rows = EmbeddedQuestDb.countIfExists(c, "SELECT count() FROM ilp_ingest");
      }
      if (rows == 3 || System.nanoTime() > deadline) {
        break;
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    assertThat(rows).isEqualTo(3);
    assertThat(count("SELECT sum(v) FROM ilp_ingest")).isEqualTo(3);
  }

  @Test
  void ilpOverTcpIsOff() {
    assertThat(db.ilpAddress()).isNull();
    assertThatThrownBy(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, ilpPort), 2_000);
              }
            })
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void pgAdminWithTheDefaultPasswordIsRefused() {
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(db.jdbcUrl(), pg(EmbeddedQuestDb.ADMIN_USER, "quest"))
                    .close())
        .isInstanceOf(SQLException.class)
        .hasMessage("ERROR: invalid username/password");
  }

  @Test
  void pgAdminWithTheGeneratedPasswordWrites() throws Exception {
    assertThat(db.adminPassword()).isEqualTo(AUTH.pgPassword());
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE pg_admin_table (v LONG)");
      s.execute("INSERT INTO pg_admin_table VALUES (7)");
    }
    assertThat(count("SELECT sum(v) FROM pg_admin_table")).isEqualTo(7);
  }

  @Test
  void theReadOnlyUserCannotInsert() throws Exception {
    try (Connection admin = DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties());
        Statement s = admin.createStatement()) {
      s.execute("CREATE TABLE ro_target (v LONG)");
    }
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.readonlyJdbcProperties());
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("INSERT INTO ro_target VALUES (1)"))
          .isInstanceOf(SQLException.class)
          .hasMessageStartingWith("ERROR: Write permission denied");
    }
    assertThat(count("SELECT count() FROM ro_target")).isZero();
  }

  @Test
  void theReadOnlyUserCannotCreateATable() throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.readonlyJdbcProperties());
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("CREATE TABLE ro_created (v LONG)"))
          .isInstanceOf(SQLException.class)
          .hasMessageStartingWith("ERROR: Could not create table, Write permission denied");
    }
    assertThat(count("SELECT count() FROM tables() WHERE table_name = 'ro_created'")).isZero();
  }

  @Test
  void theReadOnlyUserReadsWithTheGeneratedPasswordOnly() throws Exception {
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                        db.jdbcUrl(),
                        pg(EmbeddedQuestDb.READONLY_USER, EmbeddedQuestDb.READONLY_PASSWORD))
                    .close())
        .isInstanceOf(SQLException.class)
        .hasMessage("ERROR: invalid username/password");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.readonlyJdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 6 * 7")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(42);
    }
  }

  @Test
  void metricsAndHealthStayOpenForProbes() throws Exception {
    HttpResponse<String> metrics = get(db.metricsUrl(), null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("questdb_");
    assertThat(get("http://" + HOST + ":" + metricsPort + "/", null).statusCode()).isEqualTo(200);
  }

  @Test
  void theCredentialsNeverShowInToString() {
    assertThat(AUTH.toString())
        .contains("ingest")
        .doesNotContain(AUTH.httpPassword(), AUTH.pgPassword(), AUTH.readonlyPassword());
  }

  // --- helpers -------------------------------------------------------------------------------

  private static HttpResponse<String> exec(String sql, String authorization) throws Exception {
    return get(
        db.httpUrl() + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8),
        authorization);
  }

  private static HttpResponse<String> get(String url, String authorization) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static Properties pg(String user, String password) {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return p;
  }

  /** The one number {@code sql} returns, asked as the admin over PG wire. */
  private static long count(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
