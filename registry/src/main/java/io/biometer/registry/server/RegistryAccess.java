package io.biometer.registry.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may use the embedded registry: HTTP Basic users, each a reader (GET) or a writer (also
 * registering schemas and changing compatibility), as Confluent's registry does with its basic-auth
 * roles. {@link #open()} lets everyone in, the plain local run's default.
 *
 * <p>Passwords are kept as SHA-256 digests and compared in constant time. They are generated, long
 * and random (the secure mode writes them to files only the owner can read), so a slow hash, which
 * would cost every registry request, buys nothing that a human-chosen password would need.
 */
public final class RegistryAccess {

  /** What a user may do. */
  public enum Role {
    /** Read schemas, subjects, versions and config. */
    READ,
    /** Also register schemas, change compatibility and delete. */
    WRITE
  }

  /** Why a request was refused: the HTTP status, Confluent's error code and a sentence. */
  public record Denied(int status, int errorCode, String message) {}

  private record User(byte[] digest, Role role) {}

  private static final byte[] NOBODY = digest("no such user: compare anyway, in the same time");

  private final Map<String, User> users;

  private RegistryAccess(Map<String, User> users) {
    this.users = users;
  }

  /** No authentication: every request is served. */
  public static RegistryAccess open() {
    return new RegistryAccess(null);
  }

  /** Authentication required; add the users with {@link #with}. */
  public static RegistryAccess users() {
    return new RegistryAccess(Map.of());
  }

  /**
   * This access with {@code user} added.
   *
   * @throws IllegalArgumentException for a blank user, one with a colon, or an empty password
   */
  public RegistryAccess with(String user, String password, Role role) {
    if (user == null || user.isBlank() || user.contains(":")) {
      throw new IllegalArgumentException(
          "a registry user name is non-blank without ':', got " + user);
    }
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("registry user " + user + " needs a password");
    }
    Map<String, User> next = new HashMap<>(users == null ? Map.of() : users);
    next.put(user, new User(digest(password), role));
    return new RegistryAccess(Map.copyOf(next));
  }

  /** Whether requests must authenticate. */
  public boolean required() {
    return users != null;
  }

  /**
   * Checks a request.
   *
   * @param authorization the {@code Authorization} header, or null
   * @param method the HTTP method: GET and HEAD read, anything else writes
   * @return null if it may go on; otherwise 401 (no or wrong credentials) or 403 (a reader writing)
   */
  public Denied check(String authorization, String method) {
    return check(authorization, method, List.of());
  }

  /**
   * As {@link #check(String, String)}, where two POSTs read: a lookup ({@code POST
   * /subjects/{subject}}, what a client that does not auto-register sends) and a compatibility test
   * ({@code POST /compatibility/...}).
   *
   * @param path the request path's segments
   */
  public Denied check(String authorization, String method, List<String> path) {
    if (users == null) {
      return null;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return new Denied(
          401, 40101, "Unauthorized: send HTTP Basic credentials (basic.auth.user.info)");
    }
    String userInfo;
    try {
      userInfo =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return new Denied(401, 40101, "Unauthorized: the Basic credentials are not base64");
    }
    int colon = userInfo.indexOf(':');
    String name = colon < 0 ? userInfo : userInfo.substring(0, colon);
    String password = colon < 0 ? "" : userInfo.substring(colon + 1);
    User u = users.get(name);
    boolean match = MessageDigest.isEqual(u == null ? NOBODY : u.digest(), digest(password));
    if (u == null || !match) {
      return new Denied(401, 40101, "Unauthorized: unknown user or wrong password");
    }
    boolean read =
        method.equals("GET")
            || method.equals("HEAD")
            || (method.equals("POST")
                && ((path.size() == 2 && path.get(0).equals("subjects"))
                    || (!path.isEmpty() && path.get(0).equals("compatibility"))));
    if (!read && u.role() != Role.WRITE) {
      return new Denied(
          403, 40301, "Forbidden: " + name + " may read the registry, not " + method + " to it");
    }
    return null;
  }

  private static byte[] digest(String password) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
