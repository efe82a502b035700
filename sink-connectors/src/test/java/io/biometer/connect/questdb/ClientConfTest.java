package io.biometer.connect.questdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.questdb.client.Sender;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * The ILP client configuration string: the address and credentials the sink's SQL calls use, and
 * the configuration the ILP client gets (the sink's own flushing forced on it).
 */
class ClientConfTest {

  @Test
  void readsHttpWithAPort() {
    ClientConf c = ClientConf.parse(" http::addr=127.0.0.1:9123; ");
    assertThat(c.schema()).isEqualTo("http");
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(9123);
    assertThat(c.baseUrl()).isEqualTo("http://127.0.0.1:9123");
  }

  @Test
  void readsHttpsWithoutAPortAsQuestDbsDefaultPort() {
    ClientConf c = ClientConf.parse("https::addr=db.example.org;tls_verify=on;");
    assertThat(c.schema()).isEqualTo("https");
    assertThat(c.host()).isEqualTo("db.example.org");
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.baseUrl()).isEqualTo("https://db.example.org:9000");
    assertThat(c.entries()).containsEntry("tls_verify", "on");
  }

  @Test
  void theFirstOfSeveralAddressesServesTheSql() {
    ClientConf c = ClientConf.parse("http::addr=db-1:9001,db-2:9002;");
    assertThat(c.baseUrl()).isEqualTo("http://db-1:9001");
  }

  @Test
  void readsABracketedIpv6Address() {
    ClientConf c = ClientConf.parse("http::addr=[::1]:9001;");
    assertThat(c.port()).isEqualTo(9001);
    assertThat(c.baseUrl()).isEqualTo("http://[::1]:9001");
  }

  @Test
  void refusesWhatIsNotIlpOverHttp() {
    assertThatThrownBy(() -> ClientConf.parse("tcp::addr=db:9009;"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("transport 'tcp' is not supported")
        .hasMessageContaining("use http:: or https::");
    assertThatThrownBy(() -> ClientConf.parse("addr=db:9000;"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("expected http::addr=host:port;");
    assertThatThrownBy(() -> ClientConf.parse(null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("expected http::addr=host:port;");
  }

  @Test
  void refusesAConfigurationWithoutAddrOrWithABadPort() {
    assertThatThrownBy(() -> ClientConf.parse("http::username=u;"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no addr=host:port;");
    assertThatThrownBy(() -> ClientConf.parse("http::addr=;"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no addr=host:port;");
    assertThatThrownBy(() -> ClientConf.parse("http::addr=db:90x0;"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("addr 'db:90x0' has no valid port");
  }

  @Test
  void theSenderFlushesOnlyWhenTheSinkSaysSo() {
    ClientConf c =
        ClientConf.parse(
            "http::addr=db:9000;auto_flush=on;auto_flush_rows=100;auto_flush_interval=50;"
                + "username=u;password=p;");
    assertThat(c.senderConf())
        .isEqualTo(
            "http::addr=db:9000;username=u;password=p;auto_flush=off;retry_timeout=1000;"
                + "protocol_version=2;");
  }

  @Test
  void theSenderKeepsTheUsersRetryTimeoutAndProtocolVersion() {
    ClientConf c = ClientConf.parse("http::addr=db:9000;retry_timeout=30000;protocol_version=1;");
    assertThat(c.senderConf())
        .isEqualTo("http::addr=db:9000;retry_timeout=30000;protocol_version=1;auto_flush=off;");
  }

  @Test
  void questDbsClientTakesTheSenderConfigurationWithoutAServer() {
    // Nothing listens on port 1: the client must be built without asking the server anything
    // (protocol_version set), so that the task can start while QuestDB is down.
    ClientConf c = ClientConf.parse("http::addr=127.0.0.1:1;auto_flush_rows=5;");
    try (Sender sender = Sender.fromConfig(c.senderConf())) {
      assertThat(sender).isNotNull();
    }
  }

  @Test
  void basicAuthorizationFromUsernameAndPassword() {
    ClientConf c = ClientConf.parse("http::addr=db:9000;username=admin;password=quest;");
    assertThat(c.authorization())
        .isEqualTo(
            "Basic "
                + Base64.getEncoder()
                    .encodeToString("admin:quest".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void bearerAuthorizationFromAToken() {
    ClientConf c = ClientConf.parse("https::addr=db:9000;username=admin;token=abc.def;");
    assertThat(c.authorization()).isEqualTo("Bearer abc.def");
  }

  @Test
  void noAuthorizationWithoutCredentials() {
    assertThat(ClientConf.parse("http::addr=db:9000;").authorization()).isNull();
  }

  @Test
  void aSemicolonInAValueIsWrittenTwice() {
    // QuestDB's client escapes ';' in a value as ';;'.
    ClientConf c = ClientConf.parse("http::addr=db:9000;username=u;password=a;;b;;;");
    assertThat(c.entries()).containsEntry("password", "a;b;");
    assertThat(c.authorization())
        .isEqualTo(
            "Basic "
                + Base64.getEncoder().encodeToString("u:a;b;".getBytes(StandardCharsets.UTF_8)));
    assertThat(c.senderConf()).contains(";password=a;;b;;;");
  }

  @Test
  void errorsNeverEchoAPasswordOrToken() {
    for (String conf :
        new String[] {
          "http::addr=db:9000;username=u;password=s3cr3t;oops;",
          "http::addr=db:9000;username=u;password=s3;cr3t;",
          "http::addr=db:9000;token=s3cr3t;oops;",
          "http::username=u;password=s3cr3t;",
          "http::addr=db:x;password=s3cr3t;",
          "password=s3cr3t::addr=db;",
          "s3cr3t",
        }) {
      assertThatThrownBy(() -> ClientConf.parse(conf))
          .as(conf)
          .isInstanceOf(ConfigException.class)
          .hasMessageNotContaining("s3cr3t")
          .hasMessageNotContaining("cr3t");
    }
  }

  @Test
  void aMalformedEntryIsLocatedByTheKeyBeforeIt() {
    assertThatThrownBy(() -> ClientConf.parse("http::addr=db:9000;username=u;oops;"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("malformed entry")
        .hasMessageContaining("after 'username'")
        .hasMessageContaining("';;'");
  }

  @Test
  void itsTextIsItsAddressOnly() {
    ClientConf c = ClientConf.parse("http::addr=db:9000;username=u;password=s3cr3t;");
    assertThat(c.toString()).isEqualTo("http://db:9000");
  }
}
