package io.biometer.devstack.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code biometer security}: its answers to a user's mistakes (exit 2, one line, nothing made), and
 * {@code init}: 0600 files, the DNS names in the certificates, idempotence, no secret printed, and
 * the per-service folders of the secure compose variant.
 */
class SecurityAppTest {

  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return SecurityApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void noCommandExitsTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("missing command: init, apply or schemas");
  }

  @Test
  void initWithoutDirExitsTwo() {
    assertThat(run("init")).isEqualTo(2);
    assertThat(err.toString()).contains("--dir");
  }

  @Test
  void dnsForAServiceWithoutCertificateExitsTwoAndMakesNothing() {
    Path dir = tmp.resolve("sec");
    assertThat(run("init", "--dir", dir.toString(), "--dns", "kafka=kafka,questdb=questdb"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("'questdb', which has no certificate");
    assertThat(dir).doesNotExist();
  }

  @Test
  void dnsWithoutNameExitsTwo() {
    assertThat(run("init", "--dir", tmp.resolve("sec").toString(), "--dns", "kafka")).isEqualTo(2);
    assertThat(err.toString()).contains("--dns takes service=name entries");
  }

  @Test
  void badOwnerExitsTwo() {
    assertThat(run("init", "--dir", tmp.resolve("s").toString(), "--per-service", "--owner", "x=1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--owner takes service=uid");
  }

  @Test
  void applyWithoutBootstrapExitsTwo() {
    assertThat(run("apply", "--dir", tmp.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--bootstrap");
  }

  @Test
  void applyBeforeInitExitsTwoSayingSo() {
    Path dir = tmp.resolve("none");
    assertThat(run("apply", "--bootstrap", "127.0.0.1:1", "--dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("run biometer security init --dir");
    assertThat(dir).doesNotExist();
  }

  @Test
  void initWritesOwnerOnlyFilesWithTheDnsNamesInTheCertificates() throws Exception {
    Path dir = tmp.resolve("sec");
    assertThat(
            run(
                "init",
                "--dir",
                dir.toString(),
                "--dns",
                "kafka=kafka,ingress=ingress,ingress=gateway.local"))
        .isEqualTo(0);
    assertThat(out.toString()).contains("made the secure mode's material in");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    List<Path> files = files(dir);
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .as("%s", f)
          .isEqualTo("rw-------");
    }
    LocalSecurity s = LocalSecurity.ensure(dir);
    assertThat(dnsNames(s, "kafka")).containsExactlyInAnyOrder("localhost", "kafka");
    assertThat(dnsNames(s, "ingress"))
        .containsExactlyInAnyOrder("localhost", "ingress", "gateway.local");
    assertThat(dnsNames(s, "streams")).containsExactly("localhost");
    assertThat(ipAddresses(s, "kafka")).containsExactly("127.0.0.1");
    assertNoSecretIn(s, out.toString());
  }

  @Test
  void aSecondInitKeepsThePasswordsAndSaysSo() throws Exception {
    Path dir = tmp.resolve("sec");
    assertThat(run("init", "--dir", dir.toString())).isZero();
    String first = LocalSecurity.ensure(dir).password("admin");
    assertThat(run("init", "--dir", dir.toString(), "--dns", "kafka=kafka")).isZero();
    assertThat(LocalSecurity.ensure(dir).password("admin")).isEqualTo(first);
    assertThat(out.toString()).contains("found (unchanged)").contains("their host names stay");
  }

  @Test
  void perServiceFoldersHoldOnlyTheirOwnPrincipalsLogin() throws Exception {
    Path dir = tmp.resolve("sec");
    assertThat(run("init", "--dir", dir.toString(), "--per-service")).isZero();
    LocalSecurity s = LocalSecurity.ensure(dir);
    for (String service : ServiceFiles.SERVICES) {
      assertThat(dir.resolve(service)).isDirectory();
    }
    for (Path f : files(dir)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .as("%s", f)
          .isEqualTo("rw-------");
    }
    // Others may pass through to their own folder, not list it.
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx--x--x");
    for (String app : List.of("streams", "ingress", "simulator")) {
      Properties p = load(dir.resolve(app).resolve(app + ".properties"));
      String prefix = app.equals("simulator") ? "producer." : "kafka.";
      assertThat(p.getProperty(prefix + "security.protocol")).isEqualTo("SASL_SSL");
      assertThat(p.getProperty(prefix + "sasl.jaas.config"))
          .contains("username=\"" + app + "\"")
          .contains(s.password(app));
      assertThat(p.getProperty(prefix + "basic.auth.user.info")).isEqualTo(s.registryUserInfo(app));
      assertThat(p.getProperty(prefix + "ssl.truststore.location"))
          .isEqualTo(dir.toAbsolutePath().resolve(app).resolve("truststore.p12").toString());
      String all = Files.readString(dir.resolve(app).resolve(app + ".properties"));
      for (String other : LocalSecurity.PRINCIPALS) {
        if (!other.equals(app)) {
          assertThat(all)
              .as("%s's file holds %s's password", app, other)
              .doesNotContain(s.password(other));
        }
      }
    }
    assertThat(Files.readString(dir.resolve("questdb/questdb.env")))
        .contains("export QDB_PG_READONLY_PASSWORD='" + s.questdbReadonlyPassword() + "'");
    assertThat(Files.readString(dir.resolve("connect/connect-secrets.properties")))
        .contains("registry.user.info=" + s.registryUserInfo("connect"));
    assertNoSecretIn(s, out.toString());
  }

  private static void assertNoSecretIn(LocalSecurity s, String printed) {
    for (String secret : s.secrets()) {
      assertThat(printed).doesNotContain(secret);
    }
  }

  private static Properties load(Path file) throws Exception {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return p;
  }

  private static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).toList();
    }
  }

  private static X509Certificate certificate(LocalSecurity s, String service) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(s.keystore(service))) {
      ks.load(in, s.storePassword().toCharArray());
    }
    return (X509Certificate) ks.getCertificate(ks.aliases().nextElement());
  }

  private static List<String> sans(LocalSecurity s, String service, int type) throws Exception {
    List<String> names = new ArrayList<>();
    for (List<?> san : certificate(s, service).getSubjectAlternativeNames()) {
      if ((Integer) san.get(0) == type) {
        names.add((String) san.get(1));
      }
    }
    return names;
  }

  private static List<String> dnsNames(LocalSecurity s, String service) throws Exception {
    return sans(s, service, 2);
  }

  private static List<String> ipAddresses(LocalSecurity s, String service) throws Exception {
    return sans(s, service, 7);
  }
}
