package io.biometer.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Mistakes in the arguments: exit 2 and one line naming the mistake, before Kafka is asked. */
class DevicesAppTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return DevicesApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void noCommandNamesTheCommands() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "missing command: add, rotate, revoke, list, reset, command, grant, ungrant or grants");
  }

  @Test
  void aWrongTypeOrKindIsNamedWithWhatIsAllowed() {
    assertThat(run("add", "d1", "--type", "token")).isEqualTo(2);
    assertThat(err.toString()).contains("--type must be hashed-password, psk or x509, got token");
    assertThat(run("add", "d1", "--kind", "robot")).isEqualTo(2);
    assertThat(err.toString())
        .contains("--kind must be one of body-sensor, sink, soil-meter, actuator, got robot");
    assertThat(run("add", "d1", "--kind", "sink", "--sensor-type", "ECG2")).isEqualTo(2);
    assertThat(err.toString()).contains("--sensor-type must be one of BLOOD_OXYGEN");
  }

  @Test
  void x509NeedsTheSubjectAsAuthId() {
    assertThat(run("add", "d1", "--type", "x509")).isEqualTo(2);
    assertThat(err.toString()).contains("--auth-id is the certificate's subject DN for x509");
  }

  @Test
  void aBadDurationIsNamed() {
    assertThat(run("add", "d1", "--valid-for", "a year")).isEqualTo(2);
    assertThat(err.toString())
        .contains("--valid-for must be an ISO-8601 duration such as P365D or PT12H, got 'a year'");
  }

  @Test
  void helpListsTheCommands() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString())
        .contains("add", "rotate", "revoke", "list", "reset", "command", "grant", "ungrant");
  }

  @Test
  void aCommandsArgumentsAreKeyEqualsValue() {
    assertThat(run("command", "p1.fan", "set_power", "on")).isEqualTo(2);
    assertThat(err.toString()).contains("an argument is KEY=VALUE, got 'on'");
  }

  @Test
  void aGrantNamesAPrincipalOfAKnownKind() {
    assertThat(run("grant", "alice", "*.fan", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
    assertThat(err.toString())
        .contains("a principal is user:<name>, rule:<name> or device:<id>, got alice");
  }
}
