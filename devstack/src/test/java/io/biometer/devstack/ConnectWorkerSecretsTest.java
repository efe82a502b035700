package io.biometer.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.provider.FileConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConnectWorker#secretsFile} and {@link ConnectWorker.RestAuth}, without a worker. */
class ConnectWorkerSecretsTest {

  private static final String AWKWARD = "http::addr=h:1;password=p;;w=d\\ü€ #!";

  @TempDir Path tmp;

  @Test
  void aSecretsFileIsTheOwnersOnlyAndKafkasFileProviderReadsItsPlaceholders() throws Exception {
    Path file = tmp.resolve("s").resolve("connect-secrets.properties");
    Map<String, String> placeholders =
        ConnectWorker.secretsFile(file, Map.of("questdb.client.conf", AWKWARD, "other", "x"));
    assertThat(placeholders)
        .containsExactly(
            Map.entry("other", "${file:" + file.toAbsolutePath() + ":other}"),
            Map.entry(
                "questdb.client.conf",
                "${file:" + file.toAbsolutePath() + ":questdb.client.conf}"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (FileConfigProvider provider = new FileConfigProvider()) {
      provider.configure(Map.of());
      ConfigData data = provider.get(file.toString());
      assertThat(data.data()).containsEntry("questdb.client.conf", AWKWARD);
    }
  }

  @Test
  void aSecretsFileReadsTheSameAsBytesAndAsUtf8Text() throws Exception {
    Path file = tmp.resolve("secrets.properties");
    ConnectWorker.secretsFile(file, Map.of("k", AWKWARD));
    assertThat(Files.readString(file, StandardCharsets.US_ASCII)).doesNotContain("ü");
    Properties bytes = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      bytes.load(in);
    }
    Properties text = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      text.load(in);
    }
    assertThat(bytes).containsExactly(Map.entry("k", AWKWARD));
    assertThat(text).containsExactly(Map.entry("k", AWKWARD));
  }

  @Test
  void aSecretsFileIsRewrittenOwnerOnlyOverAWiderOne() throws Exception {
    Path file = tmp.resolve("secrets.properties");
    Files.writeString(file, "old=1\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ConnectWorker.secretsFile(file, Map.of("new", "2"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).contains("new=2").doesNotContain("old");
  }

  @Test
  void aPlaceholderCannotNameAPathOrKeyWithAColonOrBrace() {
    assertThatThrownBy(() -> ConnectWorker.secretsFile(tmp.resolve("a:b"), Map.of("k", "v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must hold no ':' or '}'");
    assertThatThrownBy(() -> ConnectWorker.secretsFile(tmp.resolve("s"), Map.of("k}", "v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a secret's key");
  }

  @Test
  void restAuthHidesThePasswordAndRefusesAColonInTheUser() {
    ConnectWorker.RestAuth auth = new ConnectWorker.RestAuth("connect-admin", "s3cret");
    assertThat(auth.toString()).contains("connect-admin").doesNotContain("s3cret");
    assertThat(auth.authorization()).isEqualTo("Basic Y29ubmVjdC1hZG1pbjpzM2NyZXQ=");
    assertThatThrownBy(() -> new ConnectWorker.RestAuth("a:b", "p"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
