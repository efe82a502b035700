package io.biometer.simulator.gateway;

/**
 * The gateway refused a device's credential (not the network): {@code unknown_device}, {@code
 * bad_secret}, {@code expired_secret} or {@code login_throttled}, or for MQTT 3.1.1, whose CONNACK
 * cannot say which, {@code not_authorized} or {@code bad_user_name_or_password}.
 */
public final class LoginRefused extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String reason;

  public LoginRefused(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** The gateway's label of the refusal. */
  public String reason() {
    return reason;
  }
}
