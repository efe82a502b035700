package io.biometer.ingress.grpc;

import static io.biometer.ingress.grpc.Devices.PASSWORD;
import static io.biometer.ingress.grpc.Devices.basic;
import static io.biometer.ingress.grpc.Devices.reading;
import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.auth.Authenticator;
import io.biometer.ingress.auth.DeviceLogin;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.LoginThrottle;
import io.biometer.ingress.grpc.v1.Ack;
import io.biometer.ingress.readings.Admission;
import io.biometer.ingress.readings.DeviceRateLimiter;
import io.biometer.ingress.replay.ReplayGuard;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC front end under TLS as the gateway sets it up (h2 by ALPN, client certificates
 * requested): a device logs in with its certificate, or with its password over TLS. The key
 * material is made by the JDK's keytool.
 */
class GrpcTlsTest {

  private static final String DEVICE = "p0001.spo2";
  private static final String SUBJECT = "CN=p0001-cert,O=biometer";
  private static final String STORE_PASSWORD = "changeit";

  @TempDir static Path dir;

  private Vertx vertx;
  private FakeKafka kafka;
  private GrpcFrontEnd frontEnd;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void keys() throws Exception {
    keytool(
        "-genkeypair -alias gateway -keyalg EC -groupname secp256r1 -dname CN=localhost"
            + " -ext SAN=dns:localhost,ip:127.0.0.1 -validity 2 -keystore gateway.p12");
    keytool(
        "-genkeypair -alias device -keyalg EC -groupname secp256r1 -dname "
            + SUBJECT
            + " -validity 2 -keystore device.p12");
    keytool("-exportcert -alias device -keystore device.p12 -file device.crt");
    keytool("-importcert -noprompt -alias device -file device.crt -keystore devices-ca.p12");
  }

  /** Runs the JDK's keytool in {@link #dir} with {@code args} (split at spaces), in PKCS12. */
  private static void keytool(String args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args.split(" ")));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD));
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(p.exitValue()).as("keytool %s: %s", command, out).isZero();
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    IngressMetrics metrics = new IngressMetrics();
    kafka = new FakeKafka();
    Directory directory = new Directory();
    Devices.oximeter(directory, DEVICE, "p0001");
    Devices.password(directory, DEVICE, DEVICE);
    Devices.certificate(directory, SUBJECT, DEVICE);
    LoginThrottle throttle = new LoginThrottle(3, 50, 60_000, System::currentTimeMillis);
    DeviceLogin login =
        new DeviceLogin(
            vertx,
            new Authenticator(directory, throttle, System::currentTimeMillis, 60_000),
            metrics);
    Admission admission =
        new Admission(
            directory,
            new ReplayGuard(),
            kafka,
            metrics,
            new DeviceRateLimiter(1_000, 1_000, System::nanoTime),
            300_000,
            System::currentTimeMillis);
    frontEnd = new GrpcFrontEnd(vertx, login, admission, metrics, 65_536);
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    // As Gateway.tls() sets every front end.
    options
        .setSsl(true)
        .setKeyCertOptions(
            new PfxOptions()
                .setPath(dir.resolve("gateway.p12").toString())
                .setPassword(STORE_PASSWORD))
        .setTrustOptions(
            new PfxOptions()
                .setPath(dir.resolve("devices-ca.p12").toString())
                .setPassword(STORE_PASSWORD))
        .setClientAuth(ClientAuth.REQUEST);
    frontEnd.listen(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aClientCertificateLogsTheDeviceInWithoutPassword() throws Exception {
    DeviceCall call = new DeviceCall(channel(true), null).send(reading(DEVICE, 1));

    Ack ack = call.next();
    assertThat(ack.getStatus()).as(ack.getMessage()).isEqualTo(Ack.Status.ACCEPTED);
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
    assertThat(kafka.readings()).hasSize(1);
  }

  @Test
  void withoutCertificateThePasswordLogsInOverTls() throws Exception {
    DeviceCall call = new DeviceCall(channel(false), basic(DEVICE, PASSWORD));
    call.send(reading(DEVICE, 1));

    assertThat(call.next().getStatus()).isEqualTo(Ack.Status.ACCEPTED);
    assertThat(call.end().getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void withoutCertificateNorPasswordTheCallIsUnauthenticated() throws Exception {
    DeviceCall call = new DeviceCall(channel(false), null).send(reading(DEVICE, 1));

    assertThat(call.status().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(kafka.readings()).isEmpty();
  }

  /** A TLS channel that trusts the gateway, presenting the device's certificate if asked to. */
  private ManagedChannel channel(boolean clientCertificate) throws Exception {
    KeyStore gateway = load("gateway.p12");
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("gateway", gateway.getCertificate("gateway"));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder().trustManager(tmf.getTrustManagers());
    if (clientCertificate) {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(load("device.p12"), STORE_PASSWORD.toCharArray());
      tls.keyManager(kmf.getKeyManagers());
    }
    ChannelCredentials credentials = tls.build();
    ManagedChannel c =
        Grpc.newChannelBuilderForAddress("127.0.0.1", frontEnd.port(), credentials).build();
    channels.add(c);
    return c;
  }

  private static KeyStore load(String file) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(dir.resolve(file).toFile())) {
      ks.load(in, STORE_PASSWORD.toCharArray());
    }
    return ks;
  }
}
