package io.biometer.simulator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.ingress.readings.DeviceReading;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's HTTP answers read as one answer per reading (docs/ingress.md). */
class HttpTransportTest {

  private static final List<DeviceReading> TWO =
      List.of(
          new DeviceReading("p1.ecg", 1, 0, 0, Map.of("heart_rate", 70.0), 80f),
          new DeviceReading("p1.ecg", 2, 0, 0, Map.of("heart_rate", 71.0), 80f));

  private static List<Answer> answers(int status, String body) {
    return HttpTransport.answers(status, Buffer.buffer(body), TWO);
  }

  @Test
  void resultsAreMatchedToReadingsById() {
    List<Answer> a =
        answers(
            409,
            """
            {"accepted":1,"refused":1,"results":[
              {"id":"p1.ecg/2","status":"refused","reason":"replay","message":"accepted before"},
              {"id":"p1.ecg/1","status":"accepted"}]}""");
    assertThat(a)
        .extracting(Answer::kind)
        .containsExactly(Answer.Kind.ACCEPTED, Answer.Kind.REPLAY);
  }

  @Test
  void unavailableAndRateLimitedAreRetriedAndClockSkewIsRefused() {
    List<Answer> a =
        answers(
            503,
            """
            {"results":[
              {"id":"p1.ecg/1","status":"refused","reason":"unavailable","message":"send again"},
              {"id":"p1.ecg/2","status":"refused","reason":"clock_skew","message":"set the clock"}]}""");
    assertThat(a).extracting(Answer::kind).containsExactly(Answer.Kind.RETRY, Answer.Kind.REFUSED);
    assertThat(a.get(1).reason()).isEqualTo("clock_skew");
  }

  @Test
  void aRefusedCredentialIsALoginAnswerForEveryReading() {
    assertThat(answers(401, "{\"error\":\"bad_secret\",\"message\":\"wrong secret for x\"}"))
        .extracting(Answer::kind)
        .containsExactly(Answer.Kind.LOGIN, Answer.Kind.LOGIN);
    assertThat(answers(429, "{\"error\":\"login_throttled\",\"message\":\"wait\"}"))
        .extracting(Answer::kind)
        .containsOnly(Answer.Kind.LOGIN);
  }

  @Test
  void aBodyRefusedAsAWholeAppliesToEveryReading() {
    assertThat(
            answers(
                413,
                "{\"results\":[{\"id\":null,\"status\":\"refused\",\"reason\":\"oversize\"}]}"))
        .extracting(Answer::reason)
        .containsExactly("oversize", "oversize");
  }

  @Test
  void aServerErrorThatIsNotTheGatewaysIsRetried() {
    assertThat(answers(502, "<html>Bad Gateway</html>"))
        .extracting(Answer::kind)
        .containsOnly(Answer.Kind.RETRY);
  }
}
