package io.biometer.ingress.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.avro.CommandGrant;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessMapTest {

  private final AccessMap map = new AccessMap();

  private static CommandGrant grant(String principal, List<String> devices, List<String> commands) {
    return CommandGrant.newBuilder()
        .setPrincipal(principal)
        .setDevices(List.copyOf(devices))
        .setCommands(List.copyOf(commands))
        .setGrantedAt(Instant.EPOCH)
        .build();
  }

  @Test
  void aPrincipalWithoutAnEntryMayCommandNothing() {
    assertThat(map.denial("user:alice", "p1.fan", "set_power"))
        .contains("user:alice has no entry in the access map");
  }

  @Test
  void devicePatternsMatchWholeIdsWithStarForAnyRun() {
    map.put("rule:fan", grant("rule:fan", List.of("*.fan"), List.of("set_power")));
    assertThat(map.denial("rule:fan", "p0001.fan", "set_power")).isNull();
    assertThat(map.denial("rule:fan", "p0001.fan.extra", "set_power"))
        .contains("not p0001.fan.extra");
    assertThat(map.denial("rule:fan", "p0001.valve", "set_power")).contains("not p0001.valve");
    // Regex characters in a pattern are literal: '.' is a dot, not any character.
    assertThat(map.denial("rule:fan", "p0001xfan", "set_power")).isNotNull();
  }

  @Test
  void commandNamesAreCheckedToo() {
    map.put("user:bob", grant("user:bob", List.of("p1.*"), List.of("set_*")));
    assertThat(map.denial("user:bob", "p1.fan", "set_power")).isNull();
    assertThat(map.denial("user:bob", "p1.fan", "reboot")).contains("may send [set_*], not reboot");
    assertThat(map.denial("user:bob", "p2.fan", "set_power")).contains("not p2.fan");
  }

  @Test
  void theLatestEntryWinsAndATombstoneTakesEveryRightAway() {
    map.put("user:carol", grant("user:carol", List.of("*"), List.of("*")));
    assertThat(map.denial("user:carol", "anything", "anything")).isNull();
    map.put("user:carol", grant("user:carol", List.of("m1.valve"), List.of("*")));
    assertThat(map.denial("user:carol", "p1.fan", "set_power")).isNotNull();
    map.put("user:carol", null);
    assertThat(map.denial("user:carol", "m1.valve", "set_valve")).contains("no entry");
    assertThat(map.entries()).isEmpty();
  }

  @Test
  void oneGrantDoesNotLeakToAnotherPrincipal() {
    map.put("user:alice", grant("user:alice", List.of("*"), List.of("*")));
    assertThat(map.denial("user:alicex", "p1.fan", "set_power")).contains("no entry");
    assertThat(map.denial("device:user:alice", "p1.fan", "set_power")).contains("no entry");
  }
}
