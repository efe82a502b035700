package io.biometer.ingress.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The message signature of devices without TLS (UDP, and wherever a device uses a pre-shared key):
 * {@code HMAC-SHA256(key, deviceId | sequence | sentAt | SHA-256(payload))}, with {@code |} a
 * literal bar, the numbers in decimal and the payload hash in lower-case hex. Binding the device,
 * the sequence and the send time means a captured message can neither be replayed (the sequence is
 * spent) nor moved to another device or time.
 */
public final class Hmacs {

  private Hmacs() {}

  /** The text the signature covers. */
  public static String signedText(String deviceId, long sequence, long sentAt, byte[] payload) {
    return deviceId + "|" + sequence + "|" + sentAt + "|" + hex(sha256(payload));
  }

  /** The signature of a message. */
  public static byte[] sign(
      byte[] key, String deviceId, long sequence, long sentAt, byte[] payload) {
    return hmac(
        key, signedText(deviceId, sequence, sentAt, payload).getBytes(StandardCharsets.UTF_8));
  }

  /** True if {@code signature} is the message's; compares in constant time. */
  public static boolean verify(
      byte[] key, String deviceId, long sequence, long sentAt, byte[] payload, byte[] signature) {
    return signature != null
        && MessageDigest.isEqual(sign(key, deviceId, sequence, sentAt, payload), signature);
  }

  /** HMAC-SHA256 of {@code data}. */
  public static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  /** SHA-256 of {@code data}. */
  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Lower-case hex. */
  public static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return s.toString();
  }
}
