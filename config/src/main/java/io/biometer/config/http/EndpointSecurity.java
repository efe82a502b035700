package io.biometer.config.http;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How one of our HTTP endpoints (metrics, health) is protected: TLS with a PKCS12 key store, HTTP
 * Basic with one user, both, or neither (loopback-only plain HTTP, the default).
 *
 * @param keystore PKCS12 key store with the server's certificate, or null for plain HTTP
 * @param keystorePassword its password
 * @param userInfo {@code user:password} for HTTP Basic, or null for none
 */
public record EndpointSecurity(Path keystore, String keystorePassword, String userInfo) {

  /** Plain HTTP without a login. */
  public static final EndpointSecurity NONE = new EndpointSecurity(null, null, null);

  /** Checks the user info's shape. */
  public EndpointSecurity {
    if (userInfo != null && userInfo.indexOf(':') <= 0) {
      throw new IllegalArgumentException("basic auth user info must be user:password");
    }
    if (keystore != null && !Files.isReadable(keystore)) {
      throw new IllegalArgumentException("TLS key store " + keystore + " is not a readable file");
    }
  }

  /** Whether the endpoint serves TLS. */
  public boolean tls() {
    return keystore != null;
  }

  /** {@code https} or {@code http}. */
  public String scheme() {
    return tls() ? "https" : "http";
  }

  /** An HTTP server on {@code address}: HTTPS with {@link #keystore} if set. Not started. */
  public HttpServer server(InetSocketAddress address, int backlog) throws IOException {
    if (!tls()) {
      return HttpServer.create(address, backlog);
    }
    HttpsServer s = HttpsServer.create(address, backlog);
    s.setHttpsConfigurator(new HttpsConfigurator(sslContext(keystore, keystorePassword)));
    return s;
  }

  /** Puts HTTP Basic (realm {@code realm}) on {@code context} if {@link #userInfo} is set. */
  public HttpContext protect(HttpContext context, String realm) {
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      byte[] user = userInfo.substring(0, colon).getBytes(StandardCharsets.UTF_8);
      byte[] password = userInfo.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
      context.setAuthenticator(
          new BasicAuthenticator(realm) {
            @Override
            public boolean checkCredentials(String u, String p) {
              // Both compared, in constant time, so a wrong user costs as long as a wrong password.
              boolean userOk = MessageDigest.isEqual(user, u.getBytes(StandardCharsets.UTF_8));
              boolean passwordOk =
                  MessageDigest.isEqual(password, p.getBytes(StandardCharsets.UTF_8));
              return userOk & passwordOk;
            }
          });
    }
    return context;
  }

  /** A TLS context serving the key in the PKCS12 store {@code keystore}. */
  public static SSLContext sslContext(Path keystore, String password) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      char[] pw = password == null ? new char[0] : password.toCharArray();
      try (InputStream in = Files.newInputStream(keystore)) {
        ks.load(in, pw);
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the TLS key store " + keystore + ": " + e, e);
    }
  }

  /** A TLS context trusting the certificates in the PKCS12 store {@code truststore}. */
  public static SSLContext trusting(Path truststore, String password) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(truststore)) {
        ks.load(in, password == null ? null : password.toCharArray());
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the trust store " + truststore + ": " + e, e);
    }
  }

  /** Without the password. */
  @Override
  public String toString() {
    return "EndpointSecurity[tls="
        + (keystore == null ? "none" : keystore)
        + ", basic="
        + (userInfo == null ? "none" : userInfo.substring(0, userInfo.indexOf(':')) + ":[hidden]")
        + "]";
  }
}
