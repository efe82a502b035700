package io.biometer.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.Device;
import io.biometer.registry.HttpSchemaRegistryClient;
import java.io.File;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * docker-compose.yml on real images: Confluent's registry accepts our contract and our client.
 * Needs a Docker engine and is skipped, visibly, without one; what it checks against Confluent's
 * registry is checked against the embedded one by {@link LocalStackIT} and
 * EmbeddedSchemaRegistryTest on every build.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeStackIT {

  @Container
  static final ComposeContainer COMPOSE =
      new ComposeContainer(new File("../docker-compose.yml"))
          .withExposedService(
              "schema-registry",
              8081,
              Wait.forHttp("/subjects").withStartupTimeout(Duration.ofMinutes(3)))
          .withExposedService(
              "questdb",
              9000,
              Wait.forHttp("/exec?query=select%201").withStartupTimeout(Duration.ofMinutes(3)));

  @Test
  void confluentsRegistryTakesOurContractThroughOurClient() {
    String url =
        "http://"
            + COMPOSE.getServiceHost("schema-registry", 8081)
            + ":"
            + COMPOSE.getServicePort("schema-registry", 8081);
    HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url);
    int id = client.register("telemetry.devices-value", Device.getClassSchema());
    assertThat(client.schemaById(id)).isEqualTo(Device.getClassSchema());
    assertThat(client.lookup("telemetry.devices-value", Device.getClassSchema()).id())
        .isEqualTo(id);
  }
}
