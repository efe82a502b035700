package io.biometer.streams.alerting;

/**
 * Where one rule stands for one device.
 *
 * @param status NORMAL, PENDING (breached, waiting for the minimum duration) or RAISED
 * @param since event time the current status began (0 for NORMAL)
 */
public record RuleState(Status status, long since) {

  /** The status of a rule for a device. */
  public enum Status {
    NORMAL,
    PENDING,
    RAISED
  }

  /** A rule that does not hold. */
  public static final RuleState NORMAL = new RuleState(Status.NORMAL, 0);
}
