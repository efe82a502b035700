package io.biometer.ingress.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class CommandsTest {

  @Test
  void anAnswerCarriesItsIdStatusDetailsAndReason() {
    Commands.Answer a =
        Commands.answer(
            new JsonObject(
                "{\"type\":\"response\",\"id\":\"c1\",\"status\":\"failed\","
                    + "\"details\":{\"state\":\"off\",\"rpm\":0},\"reason\":\"motor stuck\"}"));
    assertThat(a.id()).isEqualTo("c1");
    assertThat(a.ok()).isFalse();
    assertThat(a.details()).containsEntry("state", "off").containsEntry("rpm", "0");
    assertThat(a.reason()).isEqualTo("motor stuck");
  }

  @Test
  void aWrongAnswerIsRefusedNamingTheField() {
    assertRefused("{\"type\":\"response\",\"status\":\"ok\"}", Refusal.MALFORMED, "id");
    assertRefused(
        "{\"type\":\"response\",\"id\":\"c1\",\"status\":\"done\"}",
        Refusal.MALFORMED,
        "status must be");
    assertRefused(
        "{\"type\":\"response\",\"id\":\"c1\",\"status\":\"ok\",\"details\":[1]}",
        Refusal.MALFORMED,
        "details must be an object");
    assertRefused(
        "{\"type\":\"response\",\"id\":\"c1\",\"status\":\"ok\",\"extra\":1}",
        Refusal.UNKNOWN_FIELD,
        "no field extra");
  }

  @Test
  void aCommandADeviceIssuesIsIssuedByThatDeviceWithTheTtlItAsksFor() {
    io.biometer.ingress.auth.Principal phone =
        new io.biometer.ingress.auth.Principal(
            "p1.phone", "p1.phone", io.biometer.avro.DeviceKind.SINK);
    var c =
        Commands.issued(
            phone,
            io.vertx.core.buffer.Buffer.buffer(
                "{\"deviceId\":\"p1.fan\",\"name\":\"set_power\","
                    + "\"arguments\":{\"state\":\"on\"},\"ttl\":\"PT30S\"}"));
    assertThat(c.getIssuedBy()).isEqualTo("device:p1.phone");
    assertThat(c.getDeviceId()).isEqualTo("p1.fan");
    assertThat(c.getArguments()).containsEntry("state", "on");
    assertThat(java.time.Duration.between(c.getIssuedAt(), c.getExpiresAt()))
        .isEqualTo(java.time.Duration.ofSeconds(30));
    assertThatThrownBy(
            () ->
                Commands.issued(
                    phone,
                    io.vertx.core.buffer.Buffer.buffer(
                        "{\"deviceId\":\"p1.fan\",\"name\":\"x\",\"issuedBy\":\"user:a\"}")))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("no field issuedBy");
    assertThatThrownBy(
            () ->
                Commands.issued(
                    phone,
                    io.vertx.core.buffer.Buffer.buffer(
                        "{\"deviceId\":\"p1.fan\",\"name\":\"x\",\"ttl\":\"soon\"}")))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("ttl must be an ISO-8601 duration");
  }

  private static void assertRefused(String json, Refusal reason, String message) {
    assertThatThrownBy(() -> Commands.answer(new JsonObject(json)))
        .isInstanceOf(Refused.class)
        .hasMessageContaining(message)
        .extracting(e -> ((Refused) e).reason())
        .isEqualTo(reason);
  }
}
