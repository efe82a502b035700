package io.biometer.ingress.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.ingress.IngressConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class UdpConfigTest {

  @Test
  void theUdpKeysHaveTheDefaultsTheirDocsState() {
    IngressConfig c = new IngressConfig(Map.of());

    assertThat(c.getInt(IngressConfig.UDP_PORT_CONFIG)).isEqualTo(8491);
    assertThat(c.duration(IngressConfig.UDP_REASSEMBLY_TIMEOUT_CONFIG))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(c.getInt(IngressConfig.UDP_MAX_BATCHES_CONFIG)).isEqualTo(256);
    assertThat(c.getInt(IngressConfig.UDP_MAX_BUFFERED_BYTES_CONFIG)).isEqualTo(16_777_216);
    for (String key :
        new String[] {
          IngressConfig.UDP_REASSEMBLY_TIMEOUT_CONFIG,
          IngressConfig.UDP_MAX_BATCHES_CONFIG,
          IngressConfig.UDP_MAX_BUFFERED_BYTES_CONFIG
        }) {
      String doc = IngressConfig.CONFIG_DEF.configKeys().get(key).documentation;
      assertThat(doc)
          .as(key)
          .endsWith("Default: " + IngressConfig.CONFIG_DEF.defaultValues().get(key) + ".");
    }
  }

  @Test
  void aReassemblyTimeoutThatIsNoDurationIsRefusedNamingTheKey() {
    assertThatThrownBy(
            () -> new IngressConfig(Map.of(IngressConfig.UDP_REASSEMBLY_TIMEOUT_CONFIG, "10s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("udp.reassembly.timeout");
  }
}
