package io.biometer.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.config.http.EndpointSecurity;
import io.biometer.devstack.security.LocalSecurity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure mode's JMX exporter (the Connect worker's {@code /metrics}): HTTPS with the local CA
 * and HTTP Basic whose password its file holds as a salted SHA-256. The exporter writes the digest
 * it compares as BigInteger hex, without leading zeros: a rules file whose hash starts with 0 must
 * still let the right password in (one start in 16 refused it before).
 */
class ConnectMetricsAuthTest {

  @TempDir Path dir;

  @Test
  void theRightPasswordGetsInAlsoWhenTheHashHasALeadingZero() throws Exception {
    LocalSecurity sec = LocalSecurity.ensure(dir.resolve("security"));
    String userInfo = sec.metricsUserInfo();
    String password = userInfo.substring(userInfo.indexOf(':') + 1);
    ConnectWorker.MetricsAuth auth =
        new ConnectWorker.MetricsAuth(
            sec.keystore("connect"),
            sec.truststore(),
            sec.storePassword(),
            "connect",
            "metrics",
            password);
    Path agents = LocalStack.defaultPluginPath().getParent().resolve("agents");
    Pattern hashLine = Pattern.compile("passwordHash: ([0-9a-f]+)");
    Path rules = null;
    // Salts until one whose SHA-256 starts with a zero nibble (1 in 16; 400 tries miss it with
    // probability 1e-11).
    for (int i = 0; i < 400 && rules == null; i++) {
      Path worker = Files.createDirectories(dir.resolve("w" + i));
      Path r = ConnectWorker.exporterRules(worker, agents.resolve("jmx-exporter.yaml"), auth);
      Matcher m = hashLine.matcher(Files.readString(r));
      assertThat(m.find()).isTrue();
      if (m.group(1).length() < 64) {
        rules = r;
      }
    }
    assertThat(rules).as("a salt whose hash has a leading zero").isNotNull();
    int port = FreePorts.pick();
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:"
                    + agents.resolve("jmx_prometheus_javaagent.jar")
                    + "=127.0.0.1:"
                    + port
                    + ":"
                    + rules,
                "-cp",
                System.getProperty("java.class.path"),
                Idle.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("exporter.out").toFile())
            .start();
    try {
      URI uri = URI.create("https://127.0.0.1:" + port + "/metrics");
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(EndpointSecurity.trusting(sec.truststore(), sec.storePassword()))
              .connectTimeout(Duration.ofSeconds(2))
              .build();
      String basic =
          "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
      // The agent starts with the JVM; until it listens, a connection is refused.
      int status = -1;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (status < 0 && System.nanoTime() < deadline) {
        try {
          status =
              client
                  .send(
                      HttpRequest.newBuilder(uri).header("Authorization", basic).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode();
        } catch (java.io.IOException refused) {
          assertThat(p.isAlive()).as("the exporter's JVM (see exporter.out)").isTrue();
        }
      }
      assertThat(status).isEqualTo(200);
      assertThat(
              client
                  .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .isEqualTo(401);
      String wrong =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString("metrics:not-it".getBytes(StandardCharsets.UTF_8));
      assertThat(
              client
                  .send(
                      HttpRequest.newBuilder(uri).header("Authorization", wrong).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .isEqualTo(401);
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  /** A JVM that only hosts the exporter agent. */
  public static final class Idle {
    public static void main(String[] args) throws InterruptedException {
      new java.util.concurrent.CountDownLatch(1).await(120, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
