package io.biometer.ingress.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

  @Test
  void aHashVerifiesItsPasswordAndNoOther() {
    PasswordHash h = PasswordHash.create("correct horse".toCharArray(), 1_000);
    assertThat(h.matches("correct horse".toCharArray())).isTrue();
    assertThat(h.matches("correct hors".toCharArray())).isFalse();
    assertThat(h.matches("".toCharArray())).isFalse();
  }

  @Test
  void theTextFormCarriesIterationsSaltAndHashAndParsesBack() {
    PasswordHash h = PasswordHash.create("s3cret".toCharArray(), 1_234);
    String text = h.toString();
    assertThat(text).matches("pbkdf2-sha256\\$1234\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+");
    PasswordHash back = PasswordHash.parse(text);
    assertThat(back.iterations()).isEqualTo(1_234);
    assertThat(back.matches("s3cret".toCharArray())).isTrue();
  }

  @Test
  void theSamePasswordHashesDifferentlyEachTime() {
    String a = PasswordHash.create("pw".toCharArray(), 1_000).toString();
    String b = PasswordHash.create("pw".toCharArray(), 1_000).toString();
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void itIsNotThePlainSha256OfTheFirstDesign() {
    // Seed 004 stored sha256(password); the same input must not give that.
    String text = PasswordHash.create("pw".toCharArray(), 1_000).toString();
    String sha = java.util.Base64.getEncoder().encodeToString(Hmacs.sha256("pw".getBytes()));
    assertThat(text).doesNotContain(sha);
  }

  @Test
  void badTextIsRefusedSayingWhatIsWrong() {
    assertThatThrownBy(() -> PasswordHash.parse("sha256$abc"))
        .hasMessageContaining("pbkdf2-sha256$<iterations>$<salt>$<hash>");
    assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$10$AAAAAAAAAAA=$AAAA"))
        .hasMessageContaining("at least 1000");
    assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$x$AAAA$AAAA"))
        .hasMessageContaining("must be a number");
    assertThatThrownBy(() -> PasswordHash.create("pw".toCharArray(), 10))
        .hasMessageContaining("at least 1000");
  }
}
