package io.biometer.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka Connect worker in distributed mode, run as a child JVM ({@code
 * org.apache.kafka.connect.cli.ConnectDistributed}) so that it loads plugins from {@code
 * plugin.path} exactly as any Connect cluster does, keeps its logs in its own file, and can be
 * killed and restarted like a real one. Its config, offset and status topics live in the given
 * Kafka; its REST API listens on one address.
 *
 * <p>The REST API is open unless the worker is started with a {@link RestAuth}: then Kafka's {@code
 * connect-basic-auth-extension} ({@value #BASIC_AUTH_EXTENSION}) asks every request for HTTP Basic
 * with that user and password, and answers 401 without them or with wrong ones (also on {@code
 * /health}: only Connect's internal requests between workers skip it). Its JAAS file ({@value
 * #JAAS_FILE}) and credentials file ({@value #REST_CREDENTIALS_FILE}) are written in the worker's
 * folder, readable by the owner only. Every call this class makes sends the credentials; other
 * callers take the header from {@link #restAuthorization()}.
 *
 * <p>Connector configs may name secrets instead of holding them: the worker always has Kafka's
 * {@code FileConfigProvider} as provider {@code file}, so a value {@code
 * ${file:/path/secrets.properties:key}} is replaced by that key of that properties file when a
 * connector or task starts, while the config topic and {@code GET /connectors/{name}/config} keep
 * the placeholder. {@link #secretsFile(Path, Map)} writes such a file.
 */
public final class ConnectWorker implements AutoCloseable {

  /** The worker's group and the prefix of its internal topics. */
  public static final String GROUP = "biometer-connect";

  /** The REST extension that turns on HTTP Basic ({@code rest.extension.classes}). */
  public static final String BASIC_AUTH_EXTENSION =
      "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";

  /** The JAAS file of the REST API's login, in the worker's folder. */
  public static final String JAAS_FILE = "rest-jaas.conf";

  /** The REST API's users and passwords ({@code user=password}), in the worker's folder. */
  public static final String REST_CREDENTIALS_FILE = "rest-credentials.properties";

  /** The name of the worker's {@code FileConfigProvider} in {@code ${file:path:key}}. */
  public static final String FILE_CONFIG_PROVIDER = "file";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The user and password the worker's REST API requires (HTTP Basic). {@link #toString()} hides
   * the password.
   */
  public record RestAuth(String user, String password) {

    /**
     * @throws IllegalArgumentException if the user is blank or holds a ':' (HTTP Basic splits
     *     there), or the password is blank
     */
    public RestAuth {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.isBlank() || user.contains(":")) {
        throw new IllegalArgumentException(
            "the Connect REST user must be non-blank and without ':', got '" + user + "'");
      }
      if (password.isBlank()) {
        throw new IllegalArgumentException("the Connect REST password of " + user + " is blank");
      }
    }

    /** The value of the {@code Authorization} header: {@code Basic base64(user:password)}. */
    public String authorization() {
      return "Basic "
          + Base64.getEncoder()
              .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "RestAuth[user=" + user + ", password=[hidden]]";
    }
  }

  private final Path dir;
  private final String url;
  private final List<String> command;
  private final RestAuth restAuth;
  private final HttpClient http;
  private Process process;

  private final String metricsUrl;

  private ConnectWorker(
      Path dir,
      String url,
      List<String> command,
      String metricsUrl,
      RestAuth restAuth,
      javax.net.ssl.SSLContext trust) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
    if (trust != null) {
      b.sslContext(trust);
    }
    this.http = b.build();
    this.dir = dir;
    this.url = url;
    this.command = command;
    this.metricsUrl = metricsUrl;
    this.restAuth = restAuth;
  }

  /**
   * The exporter's rules with an {@code httpServer} section: TLS from {@code auth}'s key store and
   * HTTP Basic with a salted SHA-256 of the password (the exporter's own format), in a 0600 file in
   * the worker's folder.
   */
  static Path exporterRules(Path dir, Path rules, MetricsAuth auth) throws IOException {
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    String saltHex = java.util.HexFormat.of().formatHex(salt);
    String hash;
    try {
      // As the exporter (1.0.1) writes the digest it compares: BigInteger hex, so without leading
      // zeros (a fixed-width hex hash starting with 0 never matches: one login in 16 refused).
      hash =
          new java.math.BigInteger(
                  1,
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(
                          (saltHex + ":" + auth.password())
                              .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
              .toString(16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
    String yaml =
        Files.readString(rules)
            + "\n# Added by the secure mode: HTTPS and HTTP Basic on /metrics.\n"
            + "httpServer:\n"
            + "  authentication:\n"
            + "    basic:\n"
            + "      username: "
            + auth.user()
            + "\n"
            + "      passwordHash: "
            + hash
            + "\n"
            + "      algorithm: SHA-256\n"
            + "      salt: "
            + saltHex
            + "\n"
            + "  ssl:\n"
            + "    keyStore:\n"
            + "      filename: "
            + auth.keystore()
            + "\n"
            + "      password: \""
            + auth.keystorePassword()
            + "\"\n"
            + "    certificate:\n"
            + "      alias: "
            + auth.alias()
            + "\n";
    Path out = dir.resolve("jmx-exporter.yaml");
    io.biometer.devstack.security.SecureFiles.write(out, yaml);
    return out;
  }

  /** The worker's Prometheus endpoint, or null if it runs without the JMX exporter. */
  public String metricsUrl() {
    return metricsUrl;
  }

  /**
   * Writes the worker's config under {@code dir}, starts it and waits until its REST API answers.
   *
   * @param overrides worker settings that replace or add to the defaults (tests use it)
   * @throws IllegalStateException naming the log file if the worker does not come up in time
   */
  public static ConnectWorker start(
      Path dir,
      String bootstrapServers,
      String host,
      int port,
      Path pluginPath,
      Map<String, String> overrides)
      throws IOException {
    return start(dir, bootstrapServers, host, port, pluginPath, overrides, null, 0);
  }

  /**
   * As {@link #start(Path, String, String, int, Path, Map)}, with Prometheus' JMX exporter loaded
   * as a java agent when {@code agents} holds {@code jmx_prometheus_javaagent.jar} and {@code
   * jmx-exporter.yaml}: the worker's metrics (and its JVM's) at {@code
   * http://host:metricsPort/metrics}.
   */
  public static ConnectWorker start(
      Path dir,
      String bootstrapServers,
      String host,
      int port,
      Path pluginPath,
      Map<String, String> overrides,
      Path agents,
      int metricsPort)
      throws IOException {
    return start(
        dir,
        bootstrapServers,
        host,
        port,
        pluginPath,
        overrides,
        agents,
        metricsPort,
        new ConnectWorkerConfig(Map.of()).javaOpts());
  }

  /**
   * As {@link #start(Path, String, String, int, Path, Map, Path, int)}, with the worker JVM's
   * options {@code javaOpts} ({@code connect.java.opts}); its REST API open.
   */
  public static ConnectWorker start(
      Path dir,
      String bootstrapServers,
      String host,
      int port,
      Path pluginPath,
      Map<String, String> overrides,
      Path agents,
      int metricsPort,
      List<String> javaOpts)
      throws IOException {
    return start(
        dir,
        bootstrapServers,
        host,
        port,
        pluginPath,
        overrides,
        agents,
        metricsPort,
        javaOpts,
        null,
        null);
  }

  /**
   * The worker's TLS and its metrics login: the REST API ({@code listeners=https://...}) and the
   * JMX exporter's {@code /metrics} serve HTTPS with the key (entry {@code alias}) of a PKCS12
   * store; clients (this class's, the worker's own) trust {@code truststore}; {@code /metrics}
   * requires HTTP Basic with {@code user} and a password the exporter's file holds only as a salted
   * SHA-256.
   */
  public record MetricsAuth(
      Path keystore,
      Path truststore,
      String keystorePassword,
      String alias,
      String user,
      String password) {
    @Override
    public String toString() {
      return "MetricsAuth[keystore=" + keystore + ", user=" + user + ", password=[hidden]]";
    }
  }

  /**
   * As {@link #start(Path, String, String, int, Path, Map, Path, int, List)}; with {@code restAuth}
   * the REST API requires HTTP Basic with its user and password (see the class comment), with
   * {@code metricsAuth} the exporter's {@code /metrics} serves HTTPS and requires HTTP Basic.
   *
   * @param restAuth the REST API's credentials, or null for an open REST API
   * @param metricsAuth the metrics endpoint's TLS and login, or null for plain HTTP without one
   */
  public static ConnectWorker start(
      Path dir,
      String bootstrapServers,
      String host,
      int port,
      Path pluginPath,
      Map<String, String> overrides,
      Path agents,
      int metricsPort,
      List<String> javaOpts,
      RestAuth restAuth,
      MetricsAuth metricsAuth)
      throws IOException {
    if (!Files.isDirectory(pluginPath)) {
      throw new IllegalStateException(
          "no Connect plugins at "
              + pluginPath
              + ": build them with ./mvnw -pl devstack -am package, or set connect.plugin.path");
    }
    Files.createDirectories(dir);
    Map<String, String> props = new LinkedHashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("group.id", GROUP);
    props.put("config.storage.topic", GROUP + "-configs");
    props.put("offset.storage.topic", GROUP + "-offsets");
    props.put("status.storage.topic", GROUP + "-status");
    props.put("config.storage.replication.factor", "1");
    props.put("offset.storage.replication.factor", "1");
    props.put("status.storage.replication.factor", "1");
    props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    String scheme = metricsAuth == null ? "http" : "https";
    props.put("listeners", scheme + "://" + host + ":" + port);
    if (metricsAuth != null) {
      props.put("rest.advertised.listener", "https");
      String l = "listeners.https.";
      props.put(l + "ssl.keystore.type", "PKCS12");
      props.put(l + "ssl.keystore.location", metricsAuth.keystore().toString());
      props.put(l + "ssl.keystore.password", metricsAuth.keystorePassword());
      props.put(l + "ssl.key.password", metricsAuth.keystorePassword());
      props.put(l + "ssl.truststore.type", "PKCS12");
      props.put(l + "ssl.truststore.location", metricsAuth.truststore().toString());
      props.put(l + "ssl.truststore.password", metricsAuth.keystorePassword());
    }
    props.put("rest.advertised.host.name", host);
    props.put("rest.advertised.port", Integer.toString(port));
    props.put("plugin.path", pluginPath.toAbsolutePath().toString());
    props.put("plugin.discovery", "service_load");
    // Commit sink offsets every 2 s, so a restart re-delivers little.
    props.put("offset.flush.interval.ms", "2000");
    props.put("scheduled.rebalance.max.delay.ms", "0");
    // The pipeline's outputs are written in transactions (exactly_once_v2): a sink must not land
    // what an aborted transaction wrote.
    props.put("consumer.isolation.level", "read_committed");
    // Connector configs name their secrets (${file:path:key}); the worker reads them at start.
    props.put("config.providers", FILE_CONFIG_PROVIDER);
    props.put(
        "config.providers." + FILE_CONFIG_PROVIDER + ".class",
        "org.apache.kafka.common.config.provider.FileConfigProvider");
    Path jaas = null;
    if (restAuth != null) {
      props.put("rest.extension.classes", BASIC_AUTH_EXTENSION);
      Path credentials = dir.resolve(REST_CREDENTIALS_FILE).toAbsolutePath();
      writeOwnerOnly(credentials, properties(Map.of(restAuth.user(), restAuth.password())));
      jaas = dir.resolve(JAAS_FILE).toAbsolutePath();
      writeOwnerOnly(
          jaas,
          "KafkaConnect {\n"
              + "  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule"
              + " required\n"
              + "  file=\""
              + credentials.toString().replace("\\", "\\\\").replace("\"", "\\\"")
              + "\";\n"
              + "};\n");
    }
    props.putAll(overrides);
    StringBuilder file = new StringBuilder("# written by biometer's local stack on every start\n");
    props.forEach(
        (k, v) -> file.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    Path workerProps = dir.resolve("worker.properties");
    // In secure mode it holds the worker's SASL login: readable by its owner only.
    io.biometer.devstack.security.SecureFiles.write(workerProps, file.toString());
    Path logConf = dir.resolve("logback.xml");
    Files.writeString(logConf, logback(dir.resolve("connect.log")));

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(javaOpts);
    String metricsUrl = null;
    if (agents != null && metricsPort > 0) {
      Path jar = agents.resolve("jmx_prometheus_javaagent.jar");
      Path rules = agents.resolve("jmx-exporter.yaml");
      if (!Files.isRegularFile(jar) || !Files.isRegularFile(rules)) {
        throw new IllegalStateException(
            "no JMX exporter in "
                + agents
                + " (jmx_prometheus_javaagent.jar, jmx-exporter.yaml): build with ./mvnw -pl"
                + " devstack -am package");
      }
      if (metricsAuth != null) {
        rules = exporterRules(dir, rules, metricsAuth);
      }
      command.add("-javaagent:" + jar + "=" + host + ":" + metricsPort + ":" + rules);
      metricsUrl =
          (metricsAuth == null ? "http://" : "https://") + host + ":" + metricsPort + "/metrics";
    }
    command.add("-Dlogback.configurationFile=" + logConf);
    if (jaas != null) {
      command.add("-Djava.security.auth.login.config=" + jaas);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ConnectMain.class.getName());
    command.add(Long.toString(ProcessHandle.current().pid()));
    command.add(workerProps.toString());
    ConnectWorker worker =
        new ConnectWorker(
            dir,
            scheme + "://" + host + ":" + port,
            command,
            metricsUrl,
            restAuth,
            metricsAuth == null
                ? null
                : io.biometer.config.http.EndpointSecurity.trusting(
                    metricsAuth.truststore(), metricsAuth.keystorePassword()));
    worker.launch();
    return worker;
  }

  /** Starts the worker process (again, after {@link #kill}) and waits for its REST API. */
  public synchronized void launch() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the Connect worker is already running");
    }
    boolean up = false;
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("connect.out").toFile()))
            .start();
    try {
      awaitRest();
      up = true;
    } finally {
      if (!up) {
        process.destroyForcibly();
      }
    }
  }

  private void awaitRest() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the Connect worker exited with code "
                + process.exitValue()
                + " at start; see "
                + dir.resolve("connect.log")
                + " and "
                + dir.resolve("connect.out"));
      }
      try {
        HttpResponse<String> r = get("/");
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      sleep(250);
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "the Connect worker's REST API at "
            + url
            + " did not answer within 90 s; see "
            + dir.resolve("connect.log"));
  }

  /**
   * Base URL of the REST API; with {@link #restAuth()} a request needs {@link
   * #restAuthorization()}.
   */
  public String url() {
    return url;
  }

  /** The REST API's credentials, or null if it is open. */
  public RestAuth restAuth() {
    return restAuth;
  }

  /**
   * The value of the {@code Authorization} header for the REST API ({@code Basic ...}), or null if
   * it is open.
   */
  public String restAuthorization() {
    return restAuth == null ? null : restAuth.authorization();
  }

  /**
   * Writes {@code secrets} as a properties file at {@code file}, readable and writable by its owner
   * only (where the file system has POSIX permissions), replacing what was there; and returns, per
   * key, the placeholder a connector config holds instead of the secret: {@code ${file:<absolute
   * file>:<key>}}. The worker's {@code FileConfigProvider} resolves it when the connector or its
   * tasks start.
   *
   * @throws IllegalArgumentException if the path holds ':' or '}', or a key '}' or ':' (a
   *     placeholder could not name them)
   */
  public static Map<String, String> secretsFile(Path file, Map<String, String> secrets)
      throws IOException {
    Path abs = file.toAbsolutePath().normalize();
    String path = abs.toString();
    if (path.contains(":") || path.contains("}")) {
      throw new IllegalArgumentException(
          "a secrets file's path must hold no ':' or '}' to be named in ${file:path:key}: " + path);
    }
    Map<String, String> placeholders = new TreeMap<>();
    for (String key : secrets.keySet()) {
      if (key.isBlank() || key.contains("}") || key.contains(":")) {
        throw new IllegalArgumentException(
            "a secret's key must be non-blank and hold no ':' or '}': '" + key + "'");
      }
      placeholders.put(key, "${" + FILE_CONFIG_PROVIDER + ":" + path + ":" + key + "}");
    }
    Files.createDirectories(abs.getParent());
    writeOwnerOnly(abs, properties(secrets));
    return placeholders;
  }

  /**
   * {@code values} in the properties format, in ASCII (other characters as Unicode escapes): read
   * alike by {@link Properties#load(java.io.InputStream)} (ISO 8859-1, the REST login module) and
   * {@link Properties#load(java.io.Reader)} (UTF-8, the file config provider).
   */
  private static String properties(Map<String, String> values) {
    Properties p = new Properties();
    p.putAll(values);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      p.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Drop the date line Properties.store writes first.
    String text = out.toString(StandardCharsets.ISO_8859_1);
    return "# written by biometer's local stack; readable by its owner only\n"
        + text.substring(text.indexOf('\n') + 1);
  }

  /**
   * Writes {@code text} to {@code file} with permissions rw------- from its first byte: a new file
   * created so beside it, then moved over the old one.
   */
  private static void writeOwnerOnly(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    boolean posix = Files.getFileStore(parent).supportsFileAttributeView("posix");
    Path tmp =
        posix
            ? Files.createTempFile(
                parent,
                ".secret",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            : Files.createTempFile(parent, ".secret", ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The worker's log file. */
  public Path logFile() {
    return dir.resolve("connect.log");
  }

  /** The worker process's id, or -1 if it is not running. */
  public long pid() {
    Process p = process;
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  /**
   * Creates or updates connector {@code name} ({@code PUT /connectors/{name}/config}).
   *
   * @throws IllegalStateException with Connect's error message if it refuses the config
   */
  public void putConnector(String name, Map<String, String> config) throws IOException {
    String body = JSON.writeValueAsString(config);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    HttpResponse<String> r;
    while (true) {
      r =
          send(
              HttpRequest.newBuilder(URI.create(url + "/connectors/" + name + "/config"))
                  .timeout(Duration.ofSeconds(60))
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(body)));
      // 409: the worker is joining its group or rebalancing; it takes configs once that is done.
      if (r.statusCode() != 409 || System.nanoTime() > deadline) {
        break;
      }
      sleep(250);
    }
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "Connect refused connector " + name + " (HTTP " + r.statusCode() + "): " + r.body());
    }
  }

  /**
   * Deletes connector {@code name} ({@code DELETE /connectors/{name}}) and waits until the worker
   * no longer lists it, so its tasks have stopped; a connector that does not exist is no error.
   *
   * @throws IllegalStateException if Connect refuses, or the connector is still there after {@code
   *     timeout}
   */
  public void deleteConnector(String name, Duration timeout) throws IOException {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(url + "/connectors/" + name))
                .timeout(Duration.ofSeconds(60))
                .DELETE());
    if (r.statusCode() / 100 != 2 && r.statusCode() != 404) {
      throw new IllegalStateException(
          "Connect refused to delete connector "
              + name
              + " (HTTP "
              + r.statusCode()
              + "): "
              + r.body());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (status(name) != null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "connector " + name + " still listed " + timeout.toSeconds() + " s after its delete");
      }
      sleep(100);
    }
  }

  /** {@code GET /connectors/{name}/status}, or null if there is no such connector. */
  public JsonNode status(String name) throws IOException {
    HttpResponse<String> r = get("/connectors/" + name + "/status");
    if (r.statusCode() == 404) {
      return null;
    }
    return JSON.readTree(r.body());
  }

  /**
   * Waits until the connector and all its tasks are RUNNING.
   *
   * @return the last status seen
   * @throws IllegalStateException with the failed task's trace if one fails, or on time-out
   */
  public JsonNode awaitRunning(String name, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode status = null;
    while (System.nanoTime() < deadline) {
      if (process == null || !process.isAlive()) {
        throw new IllegalStateException(
            "the Connect worker is not running; see "
                + logFile()
                + " and "
                + dir.resolve("connect.out"));
      }
      status = status(name);
      if (status != null) {
        for (JsonNode t : status.path("tasks")) {
          if ("FAILED".equals(t.path("state").asText())) {
            throw new IllegalStateException(
                "task "
                    + t.path("id").asText()
                    + " of connector "
                    + name
                    + " failed: "
                    + t.path("trace").asText());
          }
        }
        if ("FAILED".equals(status.path("connector").path("state").asText())) {
          throw new IllegalStateException(
              "connector " + name + " failed: " + status.path("connector").path("trace").asText());
        }
        if (allRunning(status)) {
          return status;
        }
      }
      sleep(200);
    }
    throw new IllegalStateException(
        "connector " + name + " not RUNNING within " + timeout.toSeconds() + " s: " + status);
  }

  /** True if the connector and at least one task, and every task, are RUNNING. */
  public static boolean allRunning(JsonNode status) {
    if (!"RUNNING".equals(status.path("connector").path("state").asText())) {
      return false;
    }
    JsonNode tasks = status.path("tasks");
    if (tasks.isEmpty()) {
      return false;
    }
    for (JsonNode t : tasks) {
      if (!"RUNNING".equals(t.path("state").asText())) {
        return false;
      }
    }
    return true;
  }

  /** One line for people: {@code questdb-sink RUNNING, 1/1 tasks RUNNING}. */
  public static String describe(String name, JsonNode status) {
    if (status == null) {
      return name + " not deployed";
    }
    int running = 0;
    int total = 0;
    List<String> failed = new ArrayList<>();
    for (JsonNode t : status.path("tasks")) {
      total++;
      String state = t.path("state").asText();
      if ("RUNNING".equals(state)) {
        running++;
      } else if ("FAILED".equals(state)) {
        failed.add("task " + t.path("id").asText() + " FAILED");
      }
    }
    return name
        + " "
        + status.path("connector").path("state").asText()
        + ", "
        + running
        + "/"
        + total
        + " tasks RUNNING"
        + (failed.isEmpty() ? "" : " (" + String.join(", ", failed) + ")");
  }

  /**
   * Reads a connector config file (a JSON object of strings, as in {@code sink-connectors/config}).
   */
  public static Map<String, String> readConnectorConfig(Path json) throws IOException {
    JsonNode node = JSON.readTree(Files.readString(json));
    if (!node.isObject()) {
      throw new IOException(json + " is not a JSON object of connector settings");
    }
    Map<String, String> config = new LinkedHashMap<>();
    node.fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isValueNode()) {
                throw new IllegalArgumentException(
                    json + ": value of '" + e.getKey() + "' must be a string");
              }
              config.put(e.getKey(), e.getValue().asText());
            });
    return config;
  }

  /** Kills the worker at once (SIGKILL): no flush, no commit, no leaving the group. */
  public synchronized void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Stops the worker cleanly (SIGTERM: its tasks stop and commit), at most 30 s. */
  @Override
  public synchronized void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private HttpResponse<String> get(String path) throws IOException {
    return send(
        HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    if (restAuth != null) {
      request.header("Authorization", restAuth.authorization());
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String logback(Path file) {
    return String.join(
        "\n",
        "<!-- written by biometer's local stack on every start -->",
        "<configuration>",
        "  <appender name=\"file\" class=\"ch.qos.logback.core.FileAppender\">",
        "    <file>"
            + file.toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            + "</file>",
        "    <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>",
        "  </appender>",
        "  <logger name=\"org.apache.kafka.clients\" level=\"WARN\"/>",
        "  <logger name=\"org.apache.kafka.common.utils.AppInfoParser\" level=\"WARN\"/>",
        "  <logger name=\"org.reflections\" level=\"ERROR\"/>",
        "  <root level=\"INFO\"><appender-ref ref=\"file\"/></root>",
        "</configuration>",
        "");
  }
}
