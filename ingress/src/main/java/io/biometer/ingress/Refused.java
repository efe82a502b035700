package io.biometer.ingress;

/** A refusal with the message that says what and where; the answer a device gets. */
public final class Refused extends RuntimeException {

  private final Refusal reason;

  public Refused(Refusal reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Refusal reason() {
    return reason;
  }
}
