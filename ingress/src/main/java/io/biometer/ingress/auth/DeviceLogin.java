package io.biometer.ingress.auth;

import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * Logs a device in from what its protocol carries: a verified client certificate (x509), or a user
 * name and password (hashed-password; HTTP Basic, MQTT CONNECT, gRPC metadata). The password check
 * runs on a worker thread, never on an event loop. Refusals are counted per protocol.
 */
public final class DeviceLogin {

  private final Vertx vertx;
  private final Authenticator authenticator;
  private final IngressMetrics metrics;

  public DeviceLogin(Vertx vertx, Authenticator authenticator, IngressMetrics metrics) {
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.metrics = metrics;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  /**
   * The principal of an HTTP request: its client certificate if TLS verified one, else its {@code
   * Authorization: Basic} header.
   */
  public Future<Principal> http(
      String authorization, SSLSession session, String address, String protocol) {
    String dn = subject(session);
    if (dn != null) {
      return certificate(dn, address, protocol);
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return refused(
          protocol,
          new Refused(
              Refusal.UNKNOWN_DEVICE,
              "no credential: send Authorization: Basic base64(<authId>:<password>) or a client"
                  + " certificate"));
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return refused(
          protocol, new Refused(Refusal.MALFORMED, "the Basic credential is not base64"));
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return refused(
          protocol,
          new Refused(Refusal.MALFORMED, "the Basic credential must be <authId>:<password>"));
    }
    return password(
        decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray(), address, protocol);
  }

  /** The principal of a user name and password. */
  public Future<Principal> password(
      String authId, char[] password, String address, String protocol) {
    if (authId == null || authId.isEmpty() || password == null) {
      return refused(
          protocol,
          new Refused(Refusal.UNKNOWN_DEVICE, "no credential: give a user name and password"));
    }
    return vertx
        .<Principal>executeBlocking(() -> authenticator.password(authId, password, address), false)
        .recover(e -> refused(protocol, e));
  }

  /** The principal of a certificate subject the TLS layer verified. */
  public Future<Principal> certificate(String subjectDn, String address, String protocol) {
    try {
      return Future.succeededFuture(authenticator.certificate(subjectDn, address));
    } catch (Refused e) {
      return refused(protocol, e);
    }
  }

  /** The RFC 2253 subject DN of the verified client certificate of {@code session}, or null. */
  public static String subject(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
        return x.getSubjectX500Principal().getName(X500Principal.RFC2253);
      }
    } catch (SSLPeerUnverifiedException e) {
      // no client certificate
    }
    return null;
  }

  private <T> Future<T> refused(String protocol, Throwable e) {
    if (e instanceof Refused r) {
      metrics.refused(protocol, r.reason());
    }
    return Future.failedFuture(e);
  }
}
