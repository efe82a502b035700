package io.biometer.devstack.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The secure compose variant's folders (docker-compose.secure.yml): under the material's folder,
 * one folder per compose service, 0700, its files 0600, owned by the user the service runs as, and
 * holding only what that service needs: its own principal's login, the trust store, its key store.
 * Every container mounts the one volume read-only at the same path, so the absolute paths written
 * here are valid in each. The top folder becomes 0711: a service may pass through it to its own
 * folder but not list it, and the CA key and {@code credentials.properties} stay 0600.
 */
public final class ServiceFiles {

  /** The compose services with a folder, in the order written. */
  public static final List<String> SERVICES =
      List.of(
          "kafka",
          "admin",
          "schema-registry",
          "connect",
          "connector-setup",
          "questdb",
          "grafana",
          "prometheus",
          "streams",
          "ingress",
          "simulator");

  private ServiceFiles() {}

  /** {@code service=uid} entries, each service one of {@link #SERVICES}. */
  static Map<String, Integer> owners(List<String> entries, CommandLine line) {
    Map<String, Integer> m = new TreeMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      String service = eq < 0 ? "" : entry.substring(0, eq).trim();
      int uid;
      try {
        uid = Integer.parseInt(entry.substring(eq + 1).trim());
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        uid = -1;
      }
      if (!SERVICES.contains(service) || uid < 0) {
        throw new ParameterException(
            line,
            "--owner takes service=uid entries with a service of "
                + SERVICES
                + " and a numeric user id; got '"
                + entry
                + "'");
      }
      m.put(service, uid);
    }
    return m;
  }

  /**
   * Writes (again) every service's folder; a service named in {@code owners} gets its folder and
   * files owned by that user id (the caller must be root). Returns the services written.
   */
  public static List<String> write(LocalSecurity s, Map<String, Integer> owners)
      throws IOException {
    Path root = s.dir().toAbsolutePath();
    Map<String, Map<String, byte[]>> files = new LinkedHashMap<>();
    for (String service : SERVICES) {
      files.put(service, new LinkedHashMap<>());
    }
    byte[] trust = Files.readAllBytes(s.truststore());
    Path dirOf = root;

    // Kafka: its key, the admin's login for the controller listener and the broker's own checks.
    Map<String, byte[]> kafka = files.get("kafka");
    kafka.put("kafka.p12", Files.readAllBytes(s.keystore("kafka")));
    kafka.put("truststore.p12", trust);
    kafka.put(
        "secrets.properties",
        props(
            Map.of(
                "tls.store.password", s.storePassword(), "admin.password", s.password("admin"))));
    kafka.put("admin.properties", props(client(s, "admin", dirOf.resolve("kafka"))));

    Map<String, byte[]> admin = files.get("admin");
    admin.put("truststore.p12", trust);
    admin.put("admin.properties", props(client(s, "admin", dirOf.resolve("admin"))));

    // Confluent's registry: its Kafka login as registry, and HTTP Basic (JAAS, a password file).
    Map<String, byte[]> registry = files.get("schema-registry");
    Path registryDir = dirOf.resolve("schema-registry");
    registry.put("truststore.p12", trust);
    Map<String, String> registryEnv = new LinkedHashMap<>();
    registryEnv.put(
        "SCHEMA_REGISTRY_KAFKASTORE_SASL_JAAS_CONFIG",
        LocalSecurity.jaas("registry", s.password("registry")));
    registryEnv.put("SCHEMA_REGISTRY_KAFKASTORE_SSL_TRUSTSTORE_PASSWORD", s.storePassword());
    registry.put("registry.env", env(registryEnv));
    StringBuilder users = new StringBuilder();
    users.append("admin: ").append(s.password("admin")).append(",admin\n");
    for (String p : List.of("ingress", "simulator", "streams", "connect")) {
      users.append(p).append(": ").append(s.password(p)).append(",reader\n");
    }
    registry.put("passwords.properties", bytes(users.toString()));
    registry.put(
        "jaas.conf",
        bytes(
            "SchemaRegistry-Props {\n  org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required\n"
                + "  file=\""
                + registryDir.resolve("passwords.properties")
                + "\"\n  debug=\"false\";\n};\n"));

    // Connect: the worker's login through its FileConfigProvider, REST Basic auth, the connector's
    // secrets (QuestDB's ILP login, the converter's registry login).
    Map<String, byte[]> connect = files.get("connect");
    Path connectDir = dirOf.resolve("connect");
    connect.put("truststore.p12", trust);
    connect.put(
        "connect.properties",
        props(
            Map.of(
                "sasl.jaas.config",
                LocalSecurity.jaas("connect", s.password("connect")),
                "ssl.truststore.password",
                s.storePassword())));
    connect.put(
        "rest-credentials.properties",
        props(Map.of(LocalSecurity.CONNECT_REST_USER, s.connectRestPassword())));
    connect.put(
        "rest-jaas.conf",
        bytes(
            "KafkaConnect {\n"
                + "  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule"
                + " required\n  file=\""
                + connectDir.resolve("rest-credentials.properties")
                + "\";\n};\n"));
    connect.put(
        "rest.authorization",
        bytes(basic(LocalSecurity.CONNECT_REST_USER, s.connectRestPassword())));
    connect.put(
        "connect-secrets.properties",
        props(
            Map.of(
                "questdb.client.conf",
                "http::addr=questdb:9000;username="
                    + LocalSecurity.QUESTDB_ADMIN
                    + ";password="
                    + s.questdbAdminPassword()
                    + ";",
                "registry.user.info",
                s.registryUserInfo("connect"))));

    files
        .get("connector-setup")
        .put("curl.conf", curl(LocalSecurity.CONNECT_REST_USER, s.connectRestPassword()));

    Map<String, String> questdbEnv = new LinkedHashMap<>();
    questdbEnv.put("QDB_HTTP_USER", LocalSecurity.QUESTDB_ADMIN);
    questdbEnv.put("QDB_HTTP_PASSWORD", s.questdbAdminPassword());
    questdbEnv.put("QDB_PG_USER", LocalSecurity.QUESTDB_ADMIN);
    questdbEnv.put("QDB_PG_PASSWORD", s.questdbAdminPassword());
    questdbEnv.put("QDB_PG_READONLY_PASSWORD", s.questdbReadonlyPassword());
    files.get("questdb").put("questdb.env", env(questdbEnv));
    files
        .get("questdb")
        .put("curl.conf", curl(LocalSecurity.QUESTDB_ADMIN, s.questdbAdminPassword()));

    files.get("grafana").put("questdb-readonly.password", bytes(s.questdbReadonlyPassword()));
    files.get("prometheus").put("ca.crt", Files.readAllBytes(s.caPem()));

    Map<String, String> streams = new TreeMap<>();
    appClient(s, "streams", dirOf.resolve("streams"))
        .forEach((k, v) -> streams.put("kafka." + k, v));
    files.get("streams").put("truststore.p12", trust);
    files.get("streams").put("streams.properties", props(streams));

    Path ingressDir = dirOf.resolve("ingress");
    Map<String, String> ingress = new TreeMap<>();
    appClient(s, "ingress", ingressDir).forEach((k, v) -> ingress.put("kafka." + k, v));
    ingress.put("tls.keystore", ingressDir.resolve("ingress.p12").toString());
    ingress.put("tls.keystore.password", s.storePassword());
    files.get("ingress").put("truststore.p12", trust);
    files.get("ingress").put("ingress.p12", Files.readAllBytes(s.keystore("ingress")));
    files.get("ingress").put("ca.crt", Files.readAllBytes(s.caPem()));
    files.get("ingress").put("ingress.properties", props(ingress));

    Path simDir = dirOf.resolve("simulator");
    Map<String, String> sim = new TreeMap<>();
    appClient(s, "simulator", simDir).forEach((k, v) -> sim.put("producer." + k, v));
    sim.put("gateway.tls.truststore", simDir.resolve("truststore.p12").toString());
    sim.put("gateway.tls.truststore.password", s.storePassword());
    files.get("simulator").put("truststore.p12", trust);
    files.get("simulator").put("simulator.properties", props(sim));

    for (Map.Entry<String, Map<String, byte[]>> e : files.entrySet()) {
      Path dir = SecureFiles.directory(root.resolve(e.getKey()));
      for (Map.Entry<String, byte[]> f : e.getValue().entrySet()) {
        Path tmp = SecureFiles.create(dir.resolve("." + f.getKey() + ".tmp"));
        Files.write(tmp, f.getValue());
        Files.move(tmp, dir.resolve(f.getKey()), StandardCopyOption.REPLACE_EXISTING);
        chown(dir.resolve(f.getKey()), owners.get(e.getKey()));
      }
      chown(dir, owners.get(e.getKey()));
    }
    if (SecureFiles.permissions(root) != null) {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    }
    return SERVICES;
  }

  private static void chown(Path p, Integer uid) throws IOException {
    if (uid != null) {
      Files.setAttribute(p, "unix:uid", uid);
      Files.setAttribute(p, "unix:gid", uid);
    }
  }

  /** The Kafka client settings of {@code principal} with the trust store in {@code dir}. */
  static Map<String, String> client(LocalSecurity s, String principal, Path dir) {
    Map<String, String> m = new TreeMap<>(s.kafkaClient(principal));
    m.put("ssl.truststore.location", dir.resolve("truststore.p12").toString());
    return m;
  }

  /** As {@link #client}, plus the serdes' registry login (read only) and no auto-registration. */
  static Map<String, String> appClient(LocalSecurity s, String principal, Path dir) {
    Map<String, String> m = client(s, principal, dir);
    m.put("basic.auth.credentials.source", "USER_INFO");
    m.put("basic.auth.user.info", s.registryUserInfo(principal));
    m.put("auto.register.schemas", "false");
    return m;
  }

  private static byte[] props(Map<String, String> values) {
    StringBuilder b = new StringBuilder("# written by biometer security init --per-service\n");
    new TreeMap<>(values)
        .forEach((k, v) -> b.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    return bytes(b.toString());
  }

  /** Shell lines for {@code . file}: single-quoted values (ours never hold a single quote). */
  private static byte[] env(Map<String, String> values) {
    StringBuilder b = new StringBuilder("# written by biometer security init --per-service\n");
    values.forEach(
        (k, v) -> {
          if (v.contains("'")) {
            throw new IllegalStateException(k + " holds a single quote");
          }
          b.append("export ").append(k).append("='").append(v).append("'\n");
        });
    return bytes(b.toString());
  }

  private static byte[] curl(String user, String password) {
    return bytes("user = \"" + user + ":" + password + "\"\n");
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
