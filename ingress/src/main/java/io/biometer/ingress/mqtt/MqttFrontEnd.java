package io.biometer.ingress.mqtt;

import io.biometer.ingress.IngressMetrics;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.auth.DeviceLogin;
import io.biometer.ingress.auth.Principal;
import io.biometer.ingress.commands.CommandRouter;
import io.biometer.ingress.commands.Sessions;
import io.biometer.ingress.readings.Admission;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.readings.ReadingJson;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 3.1.1 and 5 for devices: not a broker, a front door. A device connects with its auth id as
 * user name and its password (or a client certificate), and publishes readings to {@code
 * biometer/<device>/readings}, one reading or a batch per message.
 *
 * <ul>
 *   <li>QoS 1: PUBACK only once Kafka has every reading of the message. QoS 2: PUBREC then, PUBCOMP
 *       on PUBREL. QoS 0: accepted, and nothing can tell the device if it was not.
 *   <li>A refused message gets, in MQTT 5, a PUBACK with the reason code of its {@link Refusal},
 *       the reason string, and the user property {@code reason}. MQTT 3.1.1 has no such PUBACK: a
 *       replay is acknowledged (Kafka has the reading already), any other refusal closes the
 *       connection, as Eclipse Hono does, and is logged and counted.
 *   <li>A device must declare a keep-alive (not 0): the connection is closed after 1.5 keep-alives
 *       of silence, so half-open connections do not pile up.
 *   <li>Commands (docs/commands.md): a device subscribes to {@code biometer/<device>/commands} (its
 *       own, or a sensor's it relays for) and gets each command there with QoS 1 (0 if it asked for
 *       0); it answers on {@code biometer/<device>/responses}, acknowledged once Kafka has the
 *       answer.
 *   <li>Retained messages, subscriptions to anything but a commands topic, and wildcards are
 *       refused.
 *   <li>Each connection is a CONNECTED event in {@code telemetry.connections} and, when it goes, a
 *       DISCONNECTED one with the reason.
 * </ul>
 */
public final class MqttFrontEnd {

  private static final Logger log = LoggerFactory.getLogger(MqttFrontEnd.class);
  static final String MQTT = "mqtt";
  private static final Pattern TOPIC = Pattern.compile("biometer/([^/+#]+)/readings");
  private static final Pattern COMMANDS = Pattern.compile("biometer/([^/+#]+)/commands");
  private static final Pattern RESPONSES = Pattern.compile("biometer/([^/+#]+)/responses");

  private final Vertx vertx;
  private final DeviceLogin login;
  private final Admission admission;
  private final IngressMetrics metrics;
  private final int maxPayload;
  private final Sessions sessions;
  private final java.util.List<MqttServer> servers =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public MqttFrontEnd(
      Vertx vertx, DeviceLogin login, Admission admission, IngressMetrics metrics, int maxPayload) {
    this(vertx, login, admission, metrics, maxPayload, Sessions.none());
  }

  public MqttFrontEnd(
      Vertx vertx,
      DeviceLogin login,
      Admission admission,
      IngressMetrics metrics,
      int maxPayload,
      Sessions sessions) {
    this.sessions = sessions;
    this.maxPayload = maxPayload;
    this.vertx = vertx;
    this.login = login;
    this.admission = admission;
    this.metrics = metrics;
  }

  public Future<MqttServer> listen(MqttServerOptions options) {
    MqttServer server = MqttServer.create(vertx, options).endpointHandler(this::connect);
    server.exceptionHandler(e -> log.debug("MQTT connection failed: {}", e.toString()));
    servers.add(server);
    return server.listen();
  }

  /**
   * The port of the first server. Each call of {@link #listen} from another event loop adds a
   * server on the same port; Vert.x hands new connections to them in turn.
   */
  public int port() {
    return servers.get(0).actualPort();
  }

  private void connect(MqttEndpoint endpoint) {
    String address =
        endpoint.remoteAddress() == null ? null : endpoint.remoteAddress().hostAddress();
    String dn = endpoint.isSsl() ? DeviceLogin.subject(endpoint.sslSession()) : null;
    Future<Principal> auth;
    if (endpoint.keepAliveTimeSeconds() == 0) {
      // Without a keep-alive a half-open connection would never be noticed.
      metrics.refused(MQTT, Refusal.MALFORMED);
      endpoint.reject(
          endpoint.protocolVersion() >= 5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR
              : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
      return;
    }
    if (dn != null) {
      auth = login.certificate(dn, address, MQTT);
    } else if (endpoint.auth() == null) {
      metrics.refused(MQTT, Refusal.UNKNOWN_DEVICE);
      auth = Future.failedFuture(new Refused(Refusal.UNKNOWN_DEVICE, "no user name"));
    } else {
      String pw = endpoint.auth().getPassword();
      auth =
          login.password(
              endpoint.auth().getUsername(), pw == null ? null : pw.toCharArray(), address, MQTT);
    }
    auth.onComplete(
        a -> {
          if (a.failed()) {
            endpoint.reject(connackCode(endpoint.protocolVersion(), a.cause()));
            return;
          }
          serve(endpoint, a.result());
        });
  }

  /** One connection's state: its subscriptions, and why it closed if it was not the device. */
  private final class Session {
    final MqttEndpoint endpoint;
    final Principal principal;
    final Context context;
    final Map<String, Subscription> subscriptions = new HashMap<>();
    long lastPacket = System.currentTimeMillis();
    // Read by the command router under its lock: a flag, never the endpoint, whose methods take the
    // connection's lock (an event loop holding that one may be waiting for the router's).
    volatile boolean open = true;
    boolean clientDisconnected;
    String closedBecause;

    Session(MqttEndpoint endpoint, Principal principal, Context context) {
      this.endpoint = endpoint;
      this.principal = principal;
      this.context = context;
    }

    String closeReason() {
      if (closedBecause != null) {
        return closedBecause;
      }
      if (clientDisconnected) {
        return "client disconnected";
      }
      long silent = System.currentTimeMillis() - lastPacket;
      return silent >= endpoint.keepAliveTimeSeconds() * 1000L
          ? "keep-alive timeout (silent " + silent / 1000 + " s)"
          : "connection lost";
    }
  }

  /** A subscription to one device's commands: where the router writes them. */
  private record Subscription(Session session, String topic, MqttQoS qos)
      implements CommandRouter.Subscriber {
    @Override
    public String protocol() {
      return MQTT;
    }

    @Override
    public boolean isOpen() {
      return session.open;
    }

    @Override
    public void deliver(JsonObject frame, Runnable notWritten) {
      session.context.runOnContext(
          v -> {
            if (session.endpoint.isConnected()) {
              session.endpoint.publish(topic, frame.toBuffer(), qos, false, false);
            } else {
              notWritten.run();
            }
          });
    }
  }

  private void serve(MqttEndpoint endpoint, Principal p) {
    AtomicLong open = metrics.connections(MQTT);
    open.incrementAndGet();
    Session session = new Session(endpoint, p, vertx.getOrCreateContext());
    Sessions.Handle handle =
        sessions.opened(
            p.deviceId(),
            MQTT,
            endpoint.remoteAddress() == null ? null : endpoint.remoteAddress().toString());
    endpoint.publishAutoAck(false);
    endpoint.disconnectHandler(v -> session.clientDisconnected = true);
    endpoint.closeHandler(
        v -> {
          open.decrementAndGet();
          session.open = false;
          if (sessions.router() != null) {
            session.subscriptions.forEach((d, s) -> sessions.router().unsubscribe(d, s));
          }
          handle.close(session.closeReason());
        });
    endpoint.exceptionHandler(e -> log.debug("MQTT {}: {}", p, e.toString()));
    endpoint.pingHandler(v -> session.lastPacket = System.currentTimeMillis());
    endpoint.subscribeHandler(s -> subscribe(session, s));
    endpoint.unsubscribeHandler(
        u -> {
          session.lastPacket = System.currentTimeMillis();
          for (String topic : u.topics()) {
            Matcher c = COMMANDS.matcher(topic);
            Subscription sub = c.matches() ? session.subscriptions.remove(c.group(1)) : null;
            if (sub != null && sessions.router() != null) {
              sessions.router().unsubscribe(c.group(1), sub);
            }
          }
          endpoint.unsubscribeAcknowledge(u.messageId());
        });
    endpoint.publishReleaseHandler(endpoint::publishComplete);
    endpoint.publishHandler(m -> publish(session, m));
    endpoint.accept(false);
  }

  private void subscribe(Session session, MqttSubscribeMessage s) {
    session.lastPacket = System.currentTimeMillis();
    // MQTT 3.1.1 has one failure code, 0x80; Vert.x and Netty write the codes as given.
    boolean v5 = session.endpoint.protocolVersion() >= 5;
    List<MqttSubAckReasonCode> codes = new ArrayList<>();
    for (MqttTopicSubscription t : s.topicSubscriptions()) {
      Matcher c = COMMANDS.matcher(t.topicName());
      if (!c.matches()) {
        codes.add(
            v5
                ? MqttSubAckReasonCode.TOPIC_FILTER_INVALID
                : MqttSubAckReasonCode.UNSPECIFIED_ERROR);
        continue;
      }
      if (sessions.router() == null) {
        codes.add(
            v5
                ? MqttSubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR
                : MqttSubAckReasonCode.UNSPECIFIED_ERROR);
        continue;
      }
      MqttQoS qos =
          t.qualityOfService() == MqttQoS.AT_MOST_ONCE
              ? MqttQoS.AT_MOST_ONCE
              : MqttQoS.AT_LEAST_ONCE;
      Subscription sub = new Subscription(session, t.topicName(), qos);
      try {
        Subscription before = session.subscriptions.put(c.group(1), sub);
        if (before != null) {
          sessions.router().unsubscribe(c.group(1), before);
        }
        sessions.router().subscribe(session.principal, c.group(1), sub);
        codes.add(MqttSubAckReasonCode.qosGranted(qos));
      } catch (Refused e) {
        session.subscriptions.remove(c.group(1));
        metrics.refused(MQTT, e.reason());
        log.info(
            "MQTT {}: subscription to {} refused: {}",
            session.principal,
            t.topicName(),
            e.getMessage());
        codes.add(
            v5 ? MqttSubAckReasonCode.NOT_AUTHORIZED : MqttSubAckReasonCode.UNSPECIFIED_ERROR);
      }
    }
    // The SUBACK first, then the commands that waited: deliver() runs on this context after it.
    session.endpoint.subscribeAcknowledge(s.messageId(), codes, MqttProperties.NO_PROPERTIES);
  }

  private void publish(Session session, MqttPublishMessage m) {
    session.lastPacket = System.currentTimeMillis();
    MqttEndpoint endpoint = session.endpoint;
    Principal p = session.principal;
    Matcher t = TOPIC.matcher(m.topicName());
    Matcher answer = RESPONSES.matcher(m.topicName());
    Future<Void> done;
    if (m.payload().length() > maxPayload) {
      done =
          refuse(
              new Refused(
                  Refusal.OVERSIZE,
                  "a message of " + m.payload().length() + " bytes, over " + maxPayload));
    } else if (m.isRetain()) {
      done =
          refuse(
              new Refused(
                  Refusal.MALFORMED,
                  "retained messages are not supported: publish with retain off"));
    } else if (answer.matches()) {
      done = answer(p, answer.group(1), m);
    } else if (!t.matches()) {
      done =
          refuse(
              new Refused(
                  Refusal.UNKNOWN_FIELD,
                  "topic "
                      + m.topicName()
                      + ": publish readings to biometer/<device>/readings, answers to commands to"
                      + " biometer/<device>/responses"));
    } else {
      done = admit(p, t.group(1), m);
    }
    done.onComplete(
        r -> {
          if (m.qosLevel() == MqttQoS.AT_MOST_ONCE) {
            return;
          }
          if (r.succeeded()) {
            ack(endpoint, m, MqttPubAckReasonCode.SUCCESS, MqttProperties.NO_PROPERTIES);
            return;
          }
          Refused e =
              r.cause() instanceof Refused x
                  ? x
                  : new Refused(Refusal.UNAVAILABLE, String.valueOf(r.cause()));
          if (endpoint.protocolVersion() >= 5) {
            MqttProperties props = new MqttProperties();
            props.add(
                new MqttProperties.StringProperty(
                    MqttProperties.MqttPropertyType.REASON_STRING.value(), e.getMessage()));
            props.add(new MqttProperties.UserProperty("reason", e.reason().label()));
            ack(
                endpoint,
                m,
                MqttPubAckReasonCode.valueOf((byte) e.reason().mqttReasonCode()),
                props);
          } else if (e.reason() == Refusal.REPLAY) {
            ack(endpoint, m, MqttPubAckReasonCode.SUCCESS, MqttProperties.NO_PROPERTIES);
          } else {
            log.warn("closing MQTT 3.1.1 connection of {}: {} ({})", p, e.getMessage(), e.reason());
            session.closedBecause = "closed by the gateway: " + e.reason().label();
            endpoint.close();
          }
        });
  }

  private static void ack(
      MqttEndpoint endpoint, MqttPublishMessage m, MqttPubAckReasonCode code, MqttProperties p) {
    if (!endpoint.isConnected()) {
      return;
    }
    if (m.qosLevel() == MqttQoS.EXACTLY_ONCE) {
      endpoint.publishReceived(
          m.messageId(),
          io.vertx.mqtt.messages.codes.MqttPubRecReasonCode.valueOf(code.value()),
          p);
    } else {
      endpoint.publishAcknowledge(m.messageId(), code, p);
    }
  }

  private Future<Void> admit(Principal p, String topicDevice, MqttPublishMessage m) {
    List<DeviceReading> readings;
    try {
      readings = ReadingJson.parse(m.payload());
    } catch (Refused e) {
      return refuse(e);
    }
    for (DeviceReading r : readings) {
      if (!r.deviceId().equals(topicDevice)) {
        return refuse(
            new Refused(
                Refusal.NOT_PERMITTED, r.id() + " was published to the topic of " + topicDevice));
      }
    }
    List<Future<Void>> each =
        readings.stream()
            .map(
                r ->
                    Future.fromCompletionStage(
                        admission.admit(p, r, p.deviceId(), MQTT), vertx.getOrCreateContext()))
            .toList();
    // The message is acknowledged if every reading in it is in Kafka: accepted now or before. A
    // message of nothing but replays is refused as a replay (MQTT 5 says so; 3.1.1 acknowledges).
    return Future.join(each)
        .transform(
            c -> {
              Throwable replay = null;
              boolean accepted = false;
              for (Future<Void> f : each) {
                if (f.succeeded()) {
                  accepted = true;
                } else if (f.cause() instanceof Refused x && x.reason() == Refusal.REPLAY) {
                  replay = x;
                } else {
                  return Future.failedFuture(f.cause());
                }
              }
              return accepted || replay == null
                  ? Future.succeededFuture()
                  : Future.failedFuture(replay);
            });
  }

  private Future<Void> answer(Principal p, String topicDevice, MqttPublishMessage m) {
    if (sessions.router() == null) {
      return refuse(new Refused(Refusal.UNKNOWN_COMMAND, "this gateway delivers no commands"));
    }
    try {
      Object json = Json.decodeValue(m.payload());
      if (!(json instanceof JsonObject o)) {
        throw new Refused(Refusal.MALFORMED, "a response is a JSON object");
      }
      return Future.fromCompletionStage(
          sessions.router().respond(p, topicDevice, o), vertx.getOrCreateContext());
    } catch (DecodeException e) {
      return refuse(new Refused(Refusal.MALFORMED, "not JSON: " + e.getMessage()));
    } catch (Refused e) {
      return refuse(e);
    }
  }

  private Future<Void> refuse(Refused e) {
    metrics.refused(MQTT, e.reason());
    return Future.failedFuture(e);
  }

  private static MqttConnectReturnCode connackCode(int version, Throwable e) {
    Refusal r = e instanceof Refused x ? x.reason() : Refusal.UNAVAILABLE;
    boolean v5 = version >= 5;
    return switch (r) {
      case LOGIN_THROTTLED ->
          v5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED
              : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
      case UNAVAILABLE ->
          v5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
              : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
      case UNKNOWN_DEVICE, NOT_PERMITTED ->
          v5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
              : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
      default ->
          v5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
              : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
    };
  }
}
