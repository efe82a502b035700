package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * docker-compose.yml with docker-compose.secure.yml on real images: the one-shots make the
 * material, the principals and the schemas, and the parts that took everyone before now refuse a
 * caller without credentials. Needs a Docker engine with the compose plugin and is skipped,
 * visibly, without one; {@link ComposeSecureFileTest} checks the file on every build.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeSecureStackIT {

  private static final Duration START = Duration.ofMinutes(20);

  @Container
  static final ComposeContainer COMPOSE =
      new ComposeContainer(
              new File("../docker-compose.yml"), new File("../docker-compose.secure.yml"))
          .withLocalCompose(true)
          .withBuild(true)
          .withExposedService(
              "schema-registry",
              8081,
              Wait.forHttp("/subjects").forStatusCode(401).withStartupTimeout(START))
          .withExposedService(
              "questdb",
              9000,
              Wait.forHttp("/exec?query=select%201").forStatusCode(401).withStartupTimeout(START));

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private int status(String service, int port, String path) throws Exception {
    URI uri =
        URI.create(
            "http://"
                + COMPOSE.getServiceHost(service, port)
                + ":"
                + COMPOSE.getServicePort(service, port)
                + path);
    return http.send(
            HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void theRegistryRefusesACallerWithoutCredentials() throws Exception {
    assertThat(status("schema-registry", 8081, "/subjects")).isEqualTo(401);
  }

  @Test
  void questDbRefusesSqlWithoutCredentials() throws Exception {
    assertThat(status("questdb", 9000, "/exec?query=select%201")).isEqualTo(401);
  }
}
