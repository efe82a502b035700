package io.biometer.devstack.security;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of one machine: a self-signed root that signs a certificate per service,
 * each with the SANs {@code localhost} and {@code 127.0.0.1} (clients check the host name), stored
 * as PKCS12 key stores that Kafka, Vert.x, Jetty and the JDK's HTTP client read. For a local or
 * test run only: a production deployment takes certificates from its own CA (see docs/security.md).
 */
public final class LocalCa {

  /** How long the certificates are valid. */
  public static final Duration VALIDITY = Duration.ofDays(825);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyPair keys;
  private final X509Certificate certificate;

  private LocalCa(KeyPair keys, X509Certificate certificate) {
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new CA named {@code name}, valid from now for {@link #VALIDITY}. */
  public static LocalCa create(String name) {
    return create(name, Instant.now().minus(Duration.ofMinutes(5)), VALIDITY);
  }

  /** A new CA valid from {@code notBefore} for {@code validity} (tests make expired ones). */
  public static LocalCa create(String name, Instant notBefore, Duration validity) {
    try {
      KeyPair keys = newKeyPair();
      X500Name subject = new X500Name("CN=" + name + ",O=biometer");
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serial(),
                  Date.from(notBefore),
                  Date.from(notBefore.plus(validity)),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new LocalCa(keys, sign(b, keys.getPrivate()));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("creating the local CA failed: " + e, e);
    }
  }

  /** Loads a CA that {@link #writeKeyStore} stored. */
  public static LocalCa load(Path keyStore, char[] password) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(keyStore)) {
        ks.load(in, password);
      }
      PrivateKey key = (PrivateKey) ks.getKey("ca", password);
      X509Certificate cert = (X509Certificate) ks.getCertificate("ca");
      if (key == null || cert == null) {
        throw new IOException(keyStore + " holds no entry 'ca'");
      }
      return new LocalCa(new KeyPair(cert.getPublicKey(), key), cert);
    } catch (GeneralSecurityException e) {
      throw new IOException("reading the CA from " + keyStore + " failed: " + e, e);
    }
  }

  /** The CA's certificate, the one clients trust. */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * A key pair and a certificate for {@code name} signed by this CA, for servers and clients, with
   * the SANs {@code localhost}, {@code 127.0.0.1} and {@code extraDnsNames} (compose's service
   * names).
   */
  public Issued issue(String name, String... extraDnsNames) {
    return issue(name, Instant.now().minus(Duration.ofMinutes(5)), VALIDITY, extraDnsNames);
  }

  /** As {@link #issue(String, String...)}, valid from {@code notBefore} for {@code validity}. */
  public Issued issue(String name, Instant notBefore, Duration validity, String... extraDnsNames) {
    try {
      KeyPair pair = newKeyPair();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      GeneralName[] names = new GeneralName[2 + extraDnsNames.length];
      names[0] = new GeneralName(GeneralName.dNSName, "localhost");
      names[1] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
      for (int i = 0; i < extraDnsNames.length; i++) {
        names[2 + i] = new GeneralName(GeneralName.dNSName, extraDnsNames[i]);
      }
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(),
                  Date.from(notBefore),
                  Date.from(notBefore.plus(validity)),
                  new X500Name("CN=" + name + ",O=biometer"),
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(certificate))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new Issued(name, pair.getPrivate(), sign(b, keys.getPrivate()), certificate);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("issuing a certificate for " + name + " failed: " + e, e);
    }
  }

  /** Writes the CA's key and certificate (entry {@code ca}) as a PKCS12 store, 0600. */
  public void writeKeyStore(Path file, char[] password) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("ca", keys.getPrivate(), password, new Certificate[] {certificate});
      store(ks, file, password);
    } catch (GeneralSecurityException e) {
      throw new IOException("writing " + file + " failed: " + e, e);
    }
  }

  /** Writes a trust store holding this CA's certificate (entry {@code ca}), 0600. */
  public void writeTrustStore(Path file, char[] password) throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("ca", certificate);
      store(ks, file, password);
    } catch (GeneralSecurityException e) {
      throw new IOException("writing " + file + " failed: " + e, e);
    }
  }

  /** Writes this CA's certificate as PEM (for curl, kcat, mosquitto), 0600. */
  public void writePem(Path file) throws IOException {
    Files.writeString(SecureFiles.create(file), pem(certificate));
  }

  /** A certificate this CA issued, with its key. */
  public record Issued(
      String name, PrivateKey key, X509Certificate certificate, X509Certificate ca) {

    /** Writes the key and the chain (entry {@code name}) as a PKCS12 key store, 0600. */
    public void writeKeyStore(Path file, char[] password) throws IOException {
      try {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(name, key, password, new Certificate[] {certificate, ca});
        store(ks, file, password);
      } catch (GeneralSecurityException e) {
        throw new IOException("writing " + file + " failed: " + e, e);
      }
    }
  }

  static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(o);
    }
    return w.toString();
  }

  private static void store(KeyStore ks, Path file, char[] password)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(SecureFiles.create(file))) {
      ks.store(out, password);
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256, RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(63, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
    return new JcaX509CertificateConverter().getCertificate(b.build(s));
  }
}
