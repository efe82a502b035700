package io.biometer.ingress.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted PBKDF2-HMAC-SHA256 password hashes, in the text form {@code
 * pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>}.
 *
 * <p>Why not the plain SHA-256 of the first design (seed 004): one SHA-256 costs nanoseconds, so a
 * stolen credentials topic gives up every guessable password to a GPU in minutes; salting stops
 * precomputed tables, and PBKDF2's iterations make every guess as slow as a login. PBKDF2 is in the
 * JDK (no dependency) and FIPS-approved; bcrypt, scrypt or Argon2 would need a library.
 *
 * <p>The iteration count is stored in each hash, so it can be raised for new secrets without
 * invalidating old ones. {@link #DEFAULT_ITERATIONS} is OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
 * Secrets that the CLI generates are 144 random bits, which no number of iterations makes harder or
 * easier to guess; stretching protects passwords people chose.
 */
public final class PasswordHash {

  /** OWASP Password Storage Cheat Sheet (2023): 600,000 for PBKDF2-HMAC-SHA256. */
  public static final int DEFAULT_ITERATIONS = 600_000;

  /** Below this, a hash is refused when parsed: a typo, not a choice. */
  public static final int MIN_ITERATIONS = 1_000;

  private static final String PREFIX = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int iterations;
  private final byte[] salt;
  private final byte[] hash;

  private PasswordHash(int iterations, byte[] salt, byte[] hash) {
    this.iterations = iterations;
    this.salt = salt;
    this.hash = hash;
  }

  /** A new hash of {@code password} with a random salt. */
  public static PasswordHash create(char[] password, int iterations) {
    if (iterations < MIN_ITERATIONS) {
      throw new IllegalArgumentException(
          "PBKDF2 iterations must be at least " + MIN_ITERATIONS + ", got " + iterations);
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return new PasswordHash(iterations, salt, derive(password, salt, iterations));
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static PasswordHash parse(String text) {
    String[] parts = text == null ? new String[0] : text.split("\\$");
    if (parts.length != 4 || !parts[0].equals(PREFIX)) {
      throw new IllegalArgumentException(
          "a password hash must be " + PREFIX + "$<iterations>$<salt>$<hash>");
    }
    int iterations;
    try {
      iterations = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("password hash iterations must be a number: " + parts[1]);
    }
    if (iterations < MIN_ITERATIONS) {
      throw new IllegalArgumentException(
          "password hash iterations must be at least " + MIN_ITERATIONS + ", got " + iterations);
    }
    try {
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] hash = Base64.getDecoder().decode(parts[3]);
      if (hash.length != HASH_BITS / 8 || salt.length < 8) {
        throw new IllegalArgumentException("password hash has a short salt or hash");
      }
      return new PasswordHash(iterations, salt, hash);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("password hash is not valid base64: " + e.getMessage());
    }
  }

  /** True if {@code password} is the hashed one; compares in constant time. */
  public boolean matches(char[] password) {
    return MessageDigest.isEqual(hash, derive(password, salt, iterations));
  }

  public int iterations() {
    return iterations;
  }

  @Override
  public String toString() {
    Base64.Encoder b64 = Base64.getEncoder();
    return PREFIX
        + "$"
        + iterations
        + "$"
        + b64.encodeToString(salt)
        + "$"
        + b64.encodeToString(hash);
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }
}
