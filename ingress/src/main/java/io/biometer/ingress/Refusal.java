package io.biometer.ingress;

/**
 * Why the gateway refused something, with the answer each protocol gives. Every refusal is counted
 * in {@code biometer_ingress_refused_total{reason,protocol}}; see docs/ingress.md for the table.
 */
public enum Refusal {
  /** The body is not JSON, or a field has the wrong type or is missing. */
  MALFORMED(400, 0x99, "INVALID_ARGUMENT"),
  /** A field or a channel the contract does not know. */
  UNKNOWN_FIELD(400, 0x99, "INVALID_ARGUMENT"),
  /** A payload or batch above the stated limit. */
  OVERSIZE(413, 0x99, "INVALID_ARGUMENT"),
  /** No credential with this auth id, or its device is not registered. */
  UNKNOWN_DEVICE(401, 0x87, "UNAUTHENTICATED"),
  /** The secret does not match. */
  BAD_SECRET(401, 0x87, "UNAUTHENTICATED"),
  /** The secret matched, but its validity window does not contain now; or it was revoked. */
  EXPIRED_SECRET(401, 0x87, "UNAUTHENTICATED"),
  /** A signed message whose HMAC does not verify. */
  BAD_SIGNATURE(401, 0x87, "UNAUTHENTICATED"),
  /** Too many failed logins for this auth id or source address: try again later. */
  LOGIN_THROTTLED(429, 0x97, "RESOURCE_EXHAUSTED"),
  /** The reading claims a device the authenticated one may not speak for. */
  NOT_PERMITTED(403, 0x87, "PERMISSION_DENIED"),
  /** This (principal, device, sequence) was accepted before. */
  REPLAY(409, 0x83, "ALREADY_EXISTS"),
  /**
   * The sequence is below the replay window: the device restarted its counter, or re-sent very old
   * data. The answer says how to reset the window.
   */
  SEQUENCE_BEHIND(409, 0x83, "FAILED_PRECONDITION"),
  /** {@code sentAt} is further from the gateway's clock than the allowed skew. */
  CLOCK_SKEW(400, 0x83, "FAILED_PRECONDITION"),
  /** The device sends faster than its rate limit. */
  RATE_LIMITED(429, 0x97, "RESOURCE_EXHAUSTED"),
  /** A UDP batch whose datagrams did not all arrive in time, or a truncated datagram. */
  TRUNCATED(400, 0x99, "INVALID_ARGUMENT"),
  /**
   * A command response for a command this device was not given, or answered already; or a
   * subscription to commands of a device it may not act for.
   */
  UNKNOWN_COMMAND(404, 0x83, "NOT_FOUND"),
  /** Kafka did not acknowledge the record: nothing was accepted, send it again. */
  UNAVAILABLE(503, 0x80, "UNAVAILABLE");

  private final int httpStatus;
  private final int mqttReasonCode;
  private final String grpcStatus;

  Refusal(int httpStatus, int mqttReasonCode, String grpcStatus) {
    this.httpStatus = httpStatus;
    this.mqttReasonCode = mqttReasonCode;
    this.grpcStatus = grpcStatus;
  }

  /** The HTTP status of this refusal. */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * The MQTT 5 PUBACK reason code: 0x99 payload format invalid, 0x87 not authorized, 0x83
   * implementation specific (replay, sequence behind, clock skew: the reason string and the user
   * property {@code reason} tell which), 0x97 quota exceeded, 0x80 unspecified error (retry).
   */
  public int mqttReasonCode() {
    return mqttReasonCode;
  }

  /** The name of the gRPC status code. */
  public String grpcStatus() {
    return grpcStatus;
  }

  /** The label of this refusal in metrics and answers: lower case. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
