package io.biometer.streams.internal;

/**
 * Thrown by a step to send the record being processed to the DLQ with a reason. The processing
 * exception handler turns it into a DLQ record with the source record's original bytes. Has no
 * stack trace: rejecting bad input is expected and must stay cheap.
 */
public final class Rejected extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String reason;

  public Rejected(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** The DLQ reason, e.g. {@code unknown-device}. */
  public String reason() {
    return reason;
  }
}
