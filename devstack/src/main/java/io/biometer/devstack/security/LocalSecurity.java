package io.biometer.devstack.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The secure mode's secrets and certificates, made on the first secure start and kept under the
 * data folder ({@code <data.dir>/security}, a 0700 folder of 0600 files):
 *
 * <ul>
 *   <li>{@code ca.p12} (the local CA's key), {@code ca.crt} (its certificate, PEM, for curl, kcat
 *       and mosquitto), {@code truststore.p12} (the CA for Java clients);
 *   <li>{@code <service>.p12}: a key and certificate per service that serves TLS ({@link
 *       #SERVICES}), SANs {@code localhost} and {@code 127.0.0.1};
 *   <li>{@code credentials.properties}: a generated password per principal ({@link #PRINCIPALS}),
 *       for QuestDB's admin and read-only users and Connect's REST API, and for the key stores;
 *   <li>{@code admin.properties}: the admin's Kafka client settings, for Kafka's CLI tools ({@code
 *       --command-config}) and {@code ./biometer} commands.
 * </ul>
 *
 * Later starts load the same files, so passwords and certificates stay put.
 */
public final class LocalSecurity {

  /** The Kafka principals, each with its own password and only its own ACLs. */
  public static final List<String> PRINCIPALS =
      List.of("admin", "ingress", "simulator", "streams", "connect", "registry");

  /** The services that serve TLS, each with a key store of its own. */
  public static final List<String> SERVICES =
      List.of("kafka", "registry", "connect", "streams", "ingress");

  /** The SCRAM mechanism of every principal. */
  public static final String SASL_MECHANISM = "SCRAM-SHA-512";

  /** The user name of QuestDB's HTTP (REST, ILP, console) and PG admin. */
  public static final String QUESTDB_ADMIN = "admin";

  /** The user name of Connect's REST API. */
  public static final String CONNECT_REST_USER = "admin";

  private static final String STORE_PASSWORD = "tls.store.password";
  private static final String QUESTDB_ADMIN_PASSWORD = "questdb.admin.password";
  private static final String QUESTDB_READONLY_PASSWORD = "questdb.readonly.password";
  private static final String CONNECT_REST_PASSWORD = "connect.rest.password";
  private static final String METRICS_PASSWORD = "metrics.password";

  /** The user name that scrapes our metrics endpoints (Prometheus). */
  public static final String METRICS_USER = "metrics";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final Properties secrets;
  private final boolean created;

  private LocalSecurity(Path dir, Properties secrets, boolean created) {
    this.dir = dir;
    this.secrets = secrets;
    this.created = created;
  }

  /**
   * The security material under {@code dir}: loaded if {@code credentials.properties} is there,
   * otherwise made now (CA, certificates, passwords).
   *
   * @throws IOException naming the file that cannot be read or written
   */
  public static LocalSecurity ensure(Path dir) throws IOException {
    return ensure(dir, Map.of());
  }

  /**
   * As {@link #ensure(Path)}; a new service certificate also names the host names in {@code
   * dnsNames} under its service (compose's service names, e.g. {@code kafka -> [kafka]}).
   */
  public static LocalSecurity ensure(Path dir, Map<String, List<String>> dnsNames)
      throws IOException {
    Path credentials = dir.resolve("credentials.properties");
    if (Files.exists(credentials)) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(credentials)) {
        p.load(in);
      }
      LocalSecurity s = new LocalSecurity(dir, p, false);
      s.checkComplete();
      return s;
    }
    SecureFiles.directory(dir);
    Properties p = new Properties();
    for (String principal : PRINCIPALS) {
      p.setProperty(principal + ".password", newSecret());
    }
    p.setProperty(STORE_PASSWORD, newSecret());
    p.setProperty(QUESTDB_ADMIN_PASSWORD, newSecret());
    p.setProperty(QUESTDB_READONLY_PASSWORD, newSecret());
    p.setProperty(CONNECT_REST_PASSWORD, newSecret());
    p.setProperty(METRICS_PASSWORD, newSecret());
    LocalSecurity s = new LocalSecurity(dir, p, true);
    char[] store = s.storePassword().toCharArray();
    LocalCa ca = LocalCa.create("biometer local CA");
    ca.writeKeyStore(dir.resolve("ca.p12"), store);
    ca.writeTrustStore(s.truststore(), store);
    ca.writePem(s.caPem());
    for (String service : SERVICES) {
      ca.issue(service, dnsNames.getOrDefault(service, List.of()).toArray(String[]::new))
          .writeKeyStore(s.keystore(service), store);
    }
    // The credentials last: their presence says the rest is complete.
    try (OutputStream out = Files.newOutputStream(SecureFiles.create(dir.resolve(".tmp")))) {
      p.store(out, "biometer secure mode: generated secrets. Keep this file to yourself.");
    }
    Files.move(dir.resolve(".tmp"), credentials);
    s.writeAdminProperties(null, null);
    return s;
  }

  /**
   * Writes {@code admin.properties}: the admin's Kafka login and registry login, and where the
   * broker and registry of this run listen (null: left out), for Kafka's tools ({@code
   * --command-config}) and ours.
   */
  public void writeAdminProperties(String bootstrapServers, String registryUrl) throws IOException {
    Properties admin = new Properties();
    if (bootstrapServers != null) {
      admin.setProperty("bootstrap.servers", bootstrapServers);
    }
    kafkaClient("admin").forEach((k, v) -> admin.setProperty(k, String.valueOf(v)));
    // Our tools' serdes read the registry's login from the same file, as Confluent's do.
    if (registryUrl != null) {
      admin.setProperty("schema.registry.url", registryUrl);
    }
    registryClient("admin").forEach(admin::setProperty);
    try (OutputStream out = Files.newOutputStream(SecureFiles.create(adminProperties()))) {
      admin.store(
          out,
          "Kafka client settings of the admin principal (kafka-*.sh --command-config this file,"
              + " ./biometer devices --command-config this file)");
    }
  }

  private void checkComplete() throws IOException {
    List<String> missing = new ArrayList<>();
    for (String principal : PRINCIPALS) {
      if (secrets.getProperty(principal + ".password") == null) {
        missing.add(principal + ".password");
      }
    }
    for (String key :
        List.of(
            STORE_PASSWORD,
            QUESTDB_ADMIN_PASSWORD,
            QUESTDB_READONLY_PASSWORD,
            CONNECT_REST_PASSWORD,
            METRICS_PASSWORD)) {
      if (secrets.getProperty(key) == null) {
        missing.add(key);
      }
    }
    if (!missing.isEmpty()) {
      throw new IOException(
          dir.resolve("credentials.properties")
              + " lacks "
              + missing
              + ": it was edited or made by another version; move the folder "
              + dir
              + " away to make new secrets (clients must then use the new ones)");
    }
    for (Path f : List.of(truststore(), caPem())) {
      if (!Files.exists(f)) {
        throw new IOException(
            f + " is missing; move the folder " + dir + " away to make a new CA and certificates");
      }
    }
  }

  private static String newSecret() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Whether this start made the material (the first secure start). */
  public boolean created() {
    return created;
  }

  /** The folder of it all. */
  public Path dir() {
    return dir;
  }

  /** The generated password of Kafka principal {@code principal}. */
  public String password(String principal) {
    String p = secrets.getProperty(principal + ".password");
    if (p == null) {
      throw new IllegalArgumentException(
          "no principal " + principal + "; the principals are " + PRINCIPALS);
    }
    return p;
  }

  /** The password of every key and trust store. */
  public String storePassword() {
    return secrets.getProperty(STORE_PASSWORD);
  }

  public String questdbAdminPassword() {
    return secrets.getProperty(QUESTDB_ADMIN_PASSWORD);
  }

  public String questdbReadonlyPassword() {
    return secrets.getProperty(QUESTDB_READONLY_PASSWORD);
  }

  public String connectRestPassword() {
    return secrets.getProperty(CONNECT_REST_PASSWORD);
  }

  /** {@code metrics:<password>}: the login of our metrics and health endpoints. */
  public String metricsUserInfo() {
    return METRICS_USER + ":" + secrets.getProperty(METRICS_PASSWORD);
  }

  /** Every generated secret (a test greps the logs for each). */
  public List<String> secrets() {
    List<String> all = new ArrayList<>();
    for (String name : secrets.stringPropertyNames()) {
      all.add(secrets.getProperty(name));
    }
    return all;
  }

  /** The trust store (PKCS12) holding the local CA. */
  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  /** The local CA's certificate, PEM. */
  public Path caPem() {
    return dir.resolve("ca.crt");
  }

  /** The key store (PKCS12, entry {@code service}) of {@code service}. */
  public Path keystore(String service) {
    if (!SERVICES.contains(service)) {
      throw new IllegalArgumentException(
          "no service " + service + "; the services with certificates are " + SERVICES);
    }
    return dir.resolve(service + ".p12");
  }

  /** The admin's Kafka client settings file. */
  public Path adminProperties() {
    return dir.resolve("admin.properties");
  }

  /** The file of generated passwords. */
  public Path credentialsFile() {
    return dir.resolve("credentials.properties");
  }

  /** The registry's {@code basic.auth.user.info} of {@code principal}. */
  public String registryUserInfo(String principal) {
    return principal + ":" + password(principal);
  }

  /**
   * The Kafka client settings of {@code principal}: SASL_SSL, SCRAM-SHA-512, the local CA as trust
   * store.
   */
  public Map<String, String> kafkaClient(String principal) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
    m.put(SaslConfigs.SASL_MECHANISM, SASL_MECHANISM);
    m.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(principal, password(principal)));
    m.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    m.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore().toString());
    m.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, storePassword());
    return m;
  }

  /**
   * The registry client settings of {@code principal}, Confluent's keys: its HTTP Basic login and
   * the local CA as trust store.
   */
  public Map<String, String> registryClient(String principal) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("basic.auth.credentials.source", "USER_INFO");
    m.put("basic.auth.user.info", registryUserInfo(principal));
    m.put("schema.registry.ssl.truststore.location", truststore().toString());
    m.put("schema.registry.ssl.truststore.password", storePassword());
    return m;
  }

  /** A SCRAM login line for {@code sasl.jaas.config}. */
  public static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }
}
