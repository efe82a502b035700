package io.biometer.simulator.gateway;

import io.biometer.ingress.Refusal;
import java.util.Locale;

/**
 * The gateway's answer to one reading, as a device acts on it.
 *
 * @param kind what the device does with the reading
 * @param reason the gateway's label ({@link Refusal#label()}), or null if accepted
 * @param message the gateway's message, or null
 */
public record Answer(Kind kind, String reason, String message) {

  /** What a device does with a reading after the gateway's answer. */
  public enum Kind {
    /** Kafka has it: delivered. */
    ACCEPTED,
    /** Accepted before (an answer that was lost, then a re-send): delivered. */
    REPLAY,
    /** {@code unavailable} or {@code rate_limited}: keep it, send it again after a pause. */
    RETRY,
    /**
     * {@code unknown_device} or {@code not_permitted}: the gateway may not have read the registry
     * entries written at start yet; send again a few times, then count it refused.
     */
    TRANSIENT,
    /** Refused for good: counted by reason, never sent again. */
    REFUSED,
    /** The credential itself was refused (HTTP answers that per request): log in again. */
    LOGIN
  }

  /** Kafka has the reading. */
  public static final Answer ACCEPTED = new Answer(Kind.ACCEPTED, null, null);

  /** The answer to a reading that the gateway refused with {@code reason}, a label. */
  public static Answer refused(String reason, String message) {
    String r = reason == null ? "unknown" : reason.toLowerCase(Locale.ROOT);
    Kind kind =
        switch (r) {
          case "replay" -> Kind.REPLAY;
          case "unavailable", "rate_limited" -> Kind.RETRY;
          case "unknown_device", "not_permitted" -> Kind.TRANSIENT;
          default -> Kind.REFUSED;
        };
    return new Answer(kind, r, message);
  }

  /** A refusal of the credential of the request that carried the reading. */
  public static Answer login(String reason, String message) {
    return new Answer(Kind.LOGIN, reason, message);
  }

  /** True for a refusal of the credential rather than of a reading. */
  static boolean isLoginReason(String reason) {
    return Refusal.UNKNOWN_DEVICE.label().equals(reason)
        || Refusal.BAD_SECRET.label().equals(reason)
        || Refusal.EXPIRED_SECRET.label().equals(reason)
        || Refusal.LOGIN_THROTTLED.label().equals(reason);
  }
}
