package io.biometer.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CheckAppTest {

  @Test
  void defaultsAreTheSmallScenario() {
    TruthCheck.Options o = CheckApp.parse(new String[0]);
    assertThat(o.fault()).isEqualTo(TruthCheck.Fault.NONE);
    assertThat(o.seed()).isEqualTo(42);
    assertThat(o.days()).isEqualTo(2.6);
    assertThat(o.gate()).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void everyFaultHasItsName() {
    for (TruthCheck.Fault f : TruthCheck.Fault.values()) {
      assertThat(CheckApp.parse(new String[] {"--fault=" + f.id()}).fault()).isEqualTo(f);
    }
  }

  @Test
  void badArgumentsAreRefusedWithTheReasonAndTheUsage() throws Exception {
    assertThatThrownBy(() -> CheckApp.parse(new String[] {"--fault=meteor"}))
        .hasMessageContaining("unknown fault 'meteor'");
    assertThatThrownBy(() -> CheckApp.parse(new String[] {"--days=1"}))
        .hasMessageContaining("--days must be at least 2.2");
    assertThatThrownBy(() -> CheckApp.parse(new String[] {"--speed=fast"}))
        .hasMessageContaining("--speed: cannot read 'fast'");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        CheckApp.run(
            new String[] {"--nope"},
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("unknown argument '--nope'")
        .contains("usage: ./biometer check");
  }
}
