package io.biometer.ingress.udp;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.auth.Hmacs;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.udp.UdpCodec.Answer;
import io.biometer.ingress.udp.UdpCodec.BadDatagram;
import io.biometer.ingress.udp.UdpCodec.BatchHeader;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A meter's side of the UDP batch protocol (docs/ingress.md, "UDP batches"), on a plain {@link
 * DatagramSocket} so that devices, the simulator and tests can use it without Vert.x.
 *
 * <p>{@link #deliver} is the store-and-forward loop: it sends a batch, waits for its answer, and
 * sends it again (with a new {@code sentAt}) until a signed ACK comes, a signed NACK says the batch
 * cannot be taken as it is, or the attempts run out. The caller keeps the batch until {@link
 * Answer#ack()} and sends its batches one at a time, in sequence order, each with a batch id of its
 * own. Not thread-safe.
 */
public final class UdpBatchClient implements AutoCloseable {

  /** Refusals that a later send of the same batch may overcome. */
  private static final Set<Refusal> RETRIABLE =
      Set.of(
          Refusal.TRUNCATED,
          Refusal.UNAVAILABLE,
          Refusal.RATE_LIMITED,
          Refusal.LOGIN_THROTTLED,
          Refusal.REPLAY);

  private final DatagramSocket socket;
  private final InetSocketAddress gateway;
  private final String authId;
  private final byte[] key;
  private final String deviceId;
  private final LongSupplier clock;
  private final byte[] receive = new byte[UdpCodec.MAX_DATAGRAM];
  private int maxDatagram = UdpCodec.DEFAULT_DATAGRAM;
  private long lastSentAt = Long.MIN_VALUE;

  /** A client with the system clock. */
  public UdpBatchClient(InetSocketAddress gateway, String authId, byte[] key, String deviceId)
      throws SocketException {
    this(gateway, authId, key, deviceId, System::currentTimeMillis);
  }

  /**
   * @param gateway the gateway's UDP address
   * @param authId the auth id of the meter's psk credential
   * @param key the pre-shared key
   * @param deviceId the credential's device id, which the batch signature covers
   * @param clock epoch milliseconds, for {@code sentAt}
   */
  public UdpBatchClient(
      InetSocketAddress gateway, String authId, byte[] key, String deviceId, LongSupplier clock)
      throws SocketException {
    this.gateway = gateway;
    this.authId = authId;
    this.key = key.clone();
    this.deviceId = deviceId;
    this.clock = clock;
    this.socket = new DatagramSocket();
  }

  /** Sets the largest datagram to send (default {@value UdpCodec#DEFAULT_DATAGRAM} bytes). */
  public UdpBatchClient maxDatagram(int bytes) {
    if (bytes < 200 || bytes > UdpCodec.MAX_DATAGRAM) {
      throw new IllegalArgumentException("a datagram of 200 to 65507 bytes, not " + bytes);
    }
    this.maxDatagram = bytes;
    return this;
  }

  /** The local port answers come to. */
  public int localPort() {
    return socket.getLocalPort();
  }

  /**
   * Delivers a batch: sends it, and again with a new {@code sentAt} each {@code wait} without a
   * final answer, at most {@code attempts} times.
   *
   * @return the signed ACK; or a signed NACK that another send would not change (e.g. {@code
   *     malformed}, {@code not_permitted}); or, if the attempts ran out, the last NACK received
   *     (perhaps unsigned, perhaps retriable), or null if none came
   */
  public Answer deliver(String batchId, List<DeviceReading> readings, Duration wait, int attempts)
      throws IOException {
    Answer last = null;
    long[] range = range(readings);
    for (int i = 0; i < attempts; i++) {
      long sentAt = nextSentAt();
      long deadline = System.nanoTime() + wait.toNanos();
      for (byte[] d : datagrams(batchId, readings, sentAt)) {
        sendDatagram(d);
      }
      Answer a;
      while ((a = await(batchId, range, sentAt, deadline)) != null) {
        if (a.ack() || (a.signed() && !retriable(a.refusal()))) {
          return a;
        }
        // Retriable or unsigned: an ACK may still come until the deadline; then send again.
        last = a;
      }
    }
    return last;
  }

  /**
   * One send of a batch; waits up to {@code wait} for its answer.
   *
   * @return a signed ACK of the batch (of this send or an earlier one), a NACK of this send (check
   *     {@link Answer#signed()}), or null if none came in time
   */
  public Answer send(String batchId, List<DeviceReading> readings, Duration wait)
      throws IOException {
    long sentAt = nextSentAt();
    long deadline = System.nanoTime() + wait.toNanos();
    for (byte[] d : datagrams(batchId, readings, sentAt)) {
      sendDatagram(d);
    }
    return await(batchId, range(readings), sentAt, deadline);
  }

  /** The datagrams of one send of {@code readings}, each reading's sentAt set to {@code sentAt}. */
  public List<byte[]> datagrams(String batchId, List<DeviceReading> readings, long sentAt) {
    long[] range = range(readings);
    return datagrams(
        key,
        authId,
        deviceId,
        batchId,
        range[0],
        range[1],
        sentAt,
        json(readings, sentAt),
        maxDatagram);
  }

  /**
   * The DATA datagrams of one send of a batch, each at most {@code maxDatagram} bytes; the last
   * carries the batch signature {@code Hmacs.sign(key, deviceId, first, sentAt, payload)}.
   */
  public static List<byte[]> datagrams(
      byte[] key,
      String authId,
      String deviceId,
      String batchId,
      long first,
      long last,
      long sentAt,
      byte[] payload,
      int maxDatagram) {
    int overhead =
        UdpCodec.dataOverhead(
            authId.getBytes(StandardCharsets.UTF_8).length,
            batchId.getBytes(StandardCharsets.US_ASCII).length);
    // Every chunk leaves room for the batch signature, so the last fits too.
    int chunk = Math.min(0xffff, maxDatagram - overhead - UdpCodec.MAC_LENGTH);
    if (chunk < 1) {
      throw new IllegalArgumentException(
          "a datagram of " + maxDatagram + " bytes has no room for a chunk");
    }
    if (payload.length == 0) {
      throw new IllegalArgumentException("an empty batch");
    }
    int count = (payload.length + chunk - 1) / chunk;
    if (count > 0xffff) {
      throw new IllegalArgumentException(
          "a batch of " + payload.length + " bytes needs more than 65535 datagrams");
    }
    BatchHeader h = new BatchHeader(authId, batchId, first, last, sentAt, count, payload.length);
    byte[] signature = Hmacs.sign(key, deviceId, first, sentAt, payload);
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * chunk;
      int length = Math.min(chunk, payload.length - from);
      out.add(UdpCodec.encodeData(key, h, i, payload, from, length, signature));
    }
    return out;
  }

  /**
   * The JSON array of {@code readings} in the shape of ReadingJson, each with {@code sentAt}:
   * sentAt is when a reading is sent, and the gateway checks it against its clock.
   */
  public static byte[] json(List<DeviceReading> readings, long sentAt) {
    StringBuilder s = new StringBuilder(readings.size() * 160).append('[');
    for (DeviceReading r : readings) {
      if (s.length() > 1) {
        s.append(',');
      }
      s.append("{\"deviceId\":");
      string(s, r.deviceId());
      s.append(",\"sequence\":").append(r.sequence());
      s.append(",\"sentAt\":").append(sentAt);
      s.append(",\"eventTime\":").append(r.eventTime());
      s.append(",\"values\":{");
      boolean firstValue = true;
      for (Map.Entry<String, Double> v : r.values().entrySet()) {
        if (!firstValue) {
          s.append(',');
        }
        firstValue = false;
        string(s, v.getKey());
        s.append(':').append(number(v.getValue(), r, v.getKey()));
      }
      s.append("},\"batteryPercent\":")
          .append(number(r.batteryPercent(), r, "batteryPercent"))
          .append('}');
    }
    return s.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Sends one datagram as it is (tests send cut or forged ones). */
  public void sendDatagram(byte[] datagram) throws IOException {
    socket.send(new DatagramPacket(datagram, datagram.length, gateway));
  }

  /**
   * The next answer that comes within {@code wait}, whatever its batch, verified or not (check
   * {@link Answer#verify}); null if none came. Datagrams that are no answer are skipped.
   */
  public Answer receive(Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      DatagramPacket p = next(deadline);
      if (p == null) {
        return null;
      }
      try {
        return UdpCodec.decodeAnswer(p.getData(), p.getLength());
      } catch (BadDatagram e) {
        // not an answer
      }
    }
  }

  /** True if another send of the same batch may be taken where this refusal's was not. */
  public static boolean retriable(Refusal r) {
    return r != null && RETRIABLE.contains(r);
  }

  @Override
  public void close() {
    socket.close();
  }

  /**
   * The first answer to the batch until {@code deadline}: a signed ACK of the range (of any send:
   * the readings are in Kafka either way), or a NACK of this send. Skips forged ones.
   */
  private Answer await(String batchId, long[] range, long sentAt, long deadline)
      throws IOException {
    while (true) {
      DatagramPacket p = next(deadline);
      if (p == null) {
        return null;
      }
      Answer a;
      try {
        a = UdpCodec.decodeAnswer(p.getData(), p.getLength());
      } catch (BadDatagram e) {
        continue;
      }
      if (!a.batchId().equals(batchId) || (a.signed() && !a.verify(key))) {
        continue;
      }
      if (a.ack() && a.firstSequence() == range[0] && a.lastSequence() == range[1]) {
        return a;
      }
      if (!a.ack() && a.sentAt() == sentAt) {
        return a;
      }
    }
  }

  private DatagramPacket next(long deadline) throws IOException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      return null;
    }
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
    DatagramPacket p = new DatagramPacket(receive, receive.length);
    try {
      socket.receive(p);
      return p;
    } catch (SocketTimeoutException e) {
      return null;
    }
  }

  /** A sentAt above every earlier one, so each send is told apart from the ones before. */
  private long nextSentAt() {
    lastSentAt = Math.max(clock.getAsLong(), lastSentAt + 1);
    return lastSentAt;
  }

  private static long[] range(List<DeviceReading> readings) {
    if (readings.isEmpty()) {
      throw new IllegalArgumentException("an empty batch");
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (DeviceReading r : readings) {
      min = Math.min(min, r.sequence());
      max = Math.max(max, r.sequence());
    }
    return new long[] {min, max};
  }

  private static String number(double v, DeviceReading r, String field) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(r.id() + ": " + field + " is " + v + ", not a number");
    }
    return Double.toString(v);
  }

  private static void string(StringBuilder s, String v) {
    s.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        default -> {
          if (c < 0x20) {
            s.append(String.format("\\u%04x", (int) c));
          } else {
            s.append(c);
          }
        }
      }
    }
    s.append('"');
  }
}
