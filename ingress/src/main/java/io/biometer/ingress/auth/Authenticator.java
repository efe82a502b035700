package io.biometer.ingress.auth;

import io.biometer.avro.CredentialSecret;
import io.biometer.avro.CredentialType;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Checks a device's credential against {@link Directory} and names the {@link Principal}.
 *
 * <ul>
 *   <li>Every comparison of secrets is constant-time ({@link MessageDigest#isEqual}).
 *   <li>Failed logins count in a {@link LoginThrottle}; once over its limit a login is refused
 *       before its secret is checked.
 *   <li>A secret counts only inside its validity window, so old and new secrets overlap during a
 *       rotation.
 *   <li>PBKDF2 is slow on purpose; a password that verified is remembered for {@code cacheMillis}
 *       as an HMAC under a key of this process (never the password), so a device that reconnects
 *       does not cost another PBKDF2. A change of the credential drops the memory.
 * </ul>
 *
 * <p>{@link #password} may take a hundred milliseconds: call it off the event loop.
 */
public final class Authenticator {

  private record Remembered(long updatedAt, String secretId, byte[] digest, long until) {}

  /** A pre-shared-key identity: the principal and its keys valid now, newest first. */
  public record PskIdentity(Principal principal, List<byte[]> keys) {}

  private final Directory directory;
  private final LoginThrottle throttle;
  private final LongSupplier clock;
  private final long cacheMillis;
  private final byte[] pepper = new byte[32];
  private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

  public Authenticator(
      Directory directory, LoginThrottle throttle, LongSupplier clock, long cacheMillis) {
    this.directory = directory;
    this.throttle = throttle;
    this.clock = clock;
    this.cacheMillis = cacheMillis;
    new SecureRandom().nextBytes(pepper);
  }

  /**
   * The principal of a {@code hashed-password} credential.
   *
   * @param address the source address, for the throttle
   * @throws Refused UNKNOWN_DEVICE, BAD_SECRET, EXPIRED_SECRET or LOGIN_THROTTLED
   */
  public Principal password(String authId, char[] password, String address) {
    throttled(authId, address);
    DeviceCredential c = known(CredentialType.HASHED_PASSWORD, authId, address);
    long now = clock.getAsLong();
    byte[] digest = Hmacs.hmac(pepper, utf8(password));
    Remembered r = remembered.get(authId);
    if (r != null
        && r.updatedAt() == c.getUpdatedAt().toEpochMilli()
        && r.until() > now
        && MessageDigest.isEqual(r.digest(), digest)) {
      CredentialSecret s = secret(c, r.secretId());
      if (s != null && valid(s, now)) {
        return principal(c);
      }
    }
    boolean matchedOutsideWindow = false;
    for (CredentialSecret s : c.getSecrets()) {
      if (s.getPwdHash() == null) {
        continue;
      }
      PasswordHash hash;
      try {
        hash = PasswordHash.parse(s.getPwdHash());
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (hash.matches(password)) {
        if (valid(s, now)) {
          remembered.put(
              authId,
              new Remembered(
                  c.getUpdatedAt().toEpochMilli(), s.getId(), digest, now + cacheMillis));
          return principal(c);
        }
        matchedOutsideWindow = true;
      }
    }
    throttle.failed(authId, address);
    if (matchedOutsideWindow) {
      throw new Refused(
          Refusal.EXPIRED_SECRET,
          "the secret of " + authId + " is outside its validity window; rotate it");
    }
    throw new Refused(Refusal.BAD_SECRET, "wrong secret for " + authId);
  }

  /**
   * The principal and valid keys of a {@code psk} credential; the caller verifies the HMAC and
   * reports a failure with {@link #signatureFailed}.
   */
  public PskIdentity psk(String authId, String address) {
    throttled(authId, address);
    DeviceCredential c = known(CredentialType.PSK, authId, address);
    long now = clock.getAsLong();
    List<byte[]> keys = new ArrayList<>();
    List<CredentialSecret> secrets = new ArrayList<>(c.getSecrets());
    secrets.sort(
        (a, b) ->
            Long.compare(
                b.getNotBefore() == null ? 0 : b.getNotBefore().toEpochMilli(),
                a.getNotBefore() == null ? 0 : a.getNotBefore().toEpochMilli()));
    for (CredentialSecret s : secrets) {
      if (s.getKey() != null && valid(s, now)) {
        ByteBuffer b = s.getKey().duplicate();
        byte[] key = new byte[b.remaining()];
        b.get(key);
        keys.add(key);
      }
    }
    if (keys.isEmpty()) {
      throttle.failed(authId, address);
      throw new Refused(
          Refusal.EXPIRED_SECRET, "no key of " + authId + " is inside its validity window");
    }
    return new PskIdentity(principal(c), keys);
  }

  /**
   * Counts a message whose HMAC did not verify, against its source address only: a UDP auth id
   * travels in the clear, so counting it would let anyone lock a meter out with a few forged
   * datagrams, and a 256-bit key is not guessed by trying.
   */
  public void signatureFailed(String authId, String address) {
    throttle.failed(null, address);
  }

  /** The principal of an {@code x509} credential, for a certificate the TLS layer verified. */
  public Principal certificate(String subjectDn, String address) {
    throttled(subjectDn, address);
    DeviceCredential c = known(CredentialType.X509, subjectDn, address);
    long now = clock.getAsLong();
    if (!c.getSecrets().isEmpty() && c.getSecrets().stream().noneMatch(s -> valid(s, now))) {
      throttle.failed(subjectDn, address);
      throw new Refused(
          Refusal.EXPIRED_SECRET,
          "the x509 credential of " + subjectDn + " is outside its validity window");
    }
    return principal(c);
  }

  private void throttled(String authId, String address) {
    if (!throttle.allows(authId, address)) {
      throw new Refused(
          Refusal.LOGIN_THROTTLED,
          "too many failed logins for " + authId + " or from " + address + "; wait and retry");
    }
  }

  private DeviceCredential known(CredentialType type, String authId, String address) {
    DeviceCredential c = authId == null ? null : directory.credential(type, authId);
    if (c == null) {
      // Counted against the address only: an id nobody has would add an entry per guess.
      throttle.failed(null, address);
      throw new Refused(
          Refusal.UNKNOWN_DEVICE,
          "no " + Directory.credentialKey(type, String.valueOf(authId)) + " credential");
    }
    if (!c.getEnabled()) {
      throttle.failed(authId, address);
      throw new Refused(Refusal.EXPIRED_SECRET, "the credential of " + authId + " is revoked");
    }
    return c;
  }

  private Principal principal(DeviceCredential c) {
    Device d = directory.device(c.getDeviceId());
    if (d == null) {
      throw new Refused(
          Refusal.UNKNOWN_DEVICE,
          "credential "
              + c.getAuthId()
              + " names device "
              + c.getDeviceId()
              + ", which is not registered in telemetry.devices");
    }
    return new Principal(c.getAuthId(), c.getDeviceId(), d.getKind());
  }

  private static CredentialSecret secret(DeviceCredential c, String id) {
    for (CredentialSecret s : c.getSecrets()) {
      if (s.getId().equals(id)) {
        return s;
      }
    }
    return null;
  }

  /** True if {@code now} is inside the secret's validity window. */
  public static boolean valid(CredentialSecret s, long now) {
    Instant nb = s.getNotBefore();
    Instant na = s.getNotAfter();
    return (nb == null || now >= nb.toEpochMilli()) && (na == null || now <= na.toEpochMilli());
  }

  private static byte[] utf8(char[] chars) {
    ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
