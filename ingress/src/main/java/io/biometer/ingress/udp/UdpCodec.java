package io.biometer.ingress.udp;

import io.biometer.ingress.Refusal;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The wire format of the UDP batch protocol (docs/ingress.md, "UDP batches"): a soil meter sends
 * one batch (a JSON array of readings) as DATA datagrams; the gateway answers ACK or NACK. Every
 * integer is big-endian and unsigned unless it says signed; every datagram ends in a 32-byte
 * HMAC-SHA256, with the meter's pre-shared key, over all of its bytes before the HMAC.
 *
 * <pre>
 * Every datagram starts:
 *   size  field
 *   2     magic 0x42 0x4D ("BM")
 *   1     version, 1
 *   1     type: 1 DATA, 2 ACK, 3 NACK
 *
 * DATA, meter to gateway:
 *   1     A, length of the auth id, 1..255
 *   A     auth id, UTF-8: that of the meter's psk credential
 *   1     B, length of the batch id, 1..64
 *   B     batch id, printable ASCII (0x21..0x7E); names one set of readings, kept on every re-send
 *   8     first sequence, signed, >= 0: the lowest sequence of the batch's readings
 *   8     last sequence, signed: the highest; last - first < 256 (the replay window, ReplayWindow.SIZE)
 *   8     sentAt, signed, epoch milliseconds: the same in every datagram of one send, and
 *         greater in every later send of the batch
 *   2     fragment index, 0..count-1
 *   2     fragment count, 1..65535
 *   4     batch length: bytes of the whole payload, 1..max.payload.bytes
 *   2     C, chunk length, >= 1
 *   C     chunk: the payload's bytes after those of the fragments with a lower index
 *   32    in the last fragment (index = count-1) only: the batch signature,
 *         Hmacs.sign(key, deviceId, first sequence, sentAt, whole payload)
 *   32    HMAC-SHA256(key, every byte before)
 *
 * ACK, gateway to meter, once Kafka has every reading of the batch:
 *   1     B, length of the batch id;  B  batch id
 *   8     first sequence;  8  last sequence;  8  sentAt of the send it answers
 *   4     readings accepted now;  4  readings Kafka had already (replays)
 *   32    HMAC-SHA256(key, every byte before)
 *
 * NACK, gateway to meter:
 *   1     B, length of the batch id, 0 if it could not be read;  B  batch id
 *   8     first sequence;  8  last sequence;  8  sentAt (0 where the datagram did not say)
 *   1     L, length of the reason;  L  reason, the Refusal's label (e.g. "truncated")
 *   2     M, length of the message;  M  message, UTF-8, at most 1024 bytes
 *   32    HMAC-SHA256(key, every byte before), or 32 zero bytes: unsigned
 * </pre>
 *
 * A NACK is unsigned when the gateway has no key it trusts for the datagram it answers (unknown
 * auth id, expired key, bad HMAC, a cut datagram); anyone can forge one, so a meter takes it as a
 * hint only. An unsigned NACK is never longer than the datagram it answers (no amplification).
 */
public final class UdpCodec {

  /** The first two bytes of every datagram, "BM". */
  public static final int MAGIC = 0x424D;

  /** The protocol version this codec reads and writes. */
  public static final int VERSION = 1;

  /** A fragment of a batch, meter to gateway. */
  public static final int TYPE_DATA = 1;

  /** Every reading of a batch is in Kafka, gateway to meter. */
  public static final int TYPE_ACK = 2;

  /** The batch, or a datagram of it, was refused, gateway to meter. */
  public static final int TYPE_NACK = 3;

  /** Length of an HMAC-SHA256 and of the batch signature. */
  public static final int MAC_LENGTH = 32;

  /** The longest batch id. */
  public static final int MAX_BATCH_ID = 64;

  /** The longest auth id. */
  public static final int MAX_AUTH_ID = 255;

  /** The longest message of a NACK, in bytes. */
  public static final int MAX_MESSAGE = 1024;

  /** The largest UDP payload over IPv4. */
  public static final int MAX_DATAGRAM = 65_507;

  /**
   * The datagram size the client uses unless told otherwise: IPv6's minimum MTU (1280) less the
   * IPv6 and UDP headers, so no datagram is fragmented by IP on any path.
   */
  public static final int DEFAULT_DATAGRAM = 1232;

  private static final int HEADER = 4;
  private static final int DATA_FIXED = 8 + 8 + 8 + 2 + 2 + 4 + 2;

  private UdpCodec() {}

  /**
   * What every DATA datagram of one send of a batch repeats.
   *
   * @param authId the psk credential's auth id
   * @param batchId the batch id, the relay id of the readings' provenance
   * @param firstSequence the lowest sequence of the batch's readings
   * @param lastSequence the highest
   * @param sentAt when this send started, epoch milliseconds
   * @param fragmentCount how many DATA datagrams the send has
   * @param batchLength bytes of the whole payload
   */
  public record BatchHeader(
      String authId,
      String batchId,
      long firstSequence,
      long lastSequence,
      long sentAt,
      int fragmentCount,
      long batchLength) {

    /** How answers and messages name this send: {@code <batchId> (sequences f..l)}. */
    public String name() {
      return "batch " + batchId + " (sequences " + firstSequence + ".." + lastSequence + ")";
    }
  }

  /**
   * A decoded DATA datagram.
   *
   * @param header the batch's fields
   * @param index the fragment index
   * @param chunk the fragment's part of the payload
   * @param batchSignature the batch signature (last fragment), else null
   * @param datagram the datagram, to verify its HMAC
   * @param macOffset where the HMAC starts in {@code datagram}
   */
  public record Fragment(
      BatchHeader header,
      int index,
      byte[] chunk,
      byte[] batchSignature,
      byte[] datagram,
      int macOffset) {

    /** True if this datagram's HMAC is {@code key}'s; compares in constant time. */
    public boolean verify(byte[] key) {
      return verifyMac(key, datagram, macOffset);
    }

    /** True if this is the last fragment of its batch (it carries the batch signature). */
    public boolean last() {
      return index == header.fragmentCount() - 1;
    }
  }

  /**
   * A decoded ACK or NACK.
   *
   * @param ack true for an ACK, false for a NACK
   * @param batchId the batch it answers; empty if the gateway could not read it
   * @param firstSequence the batch's first sequence
   * @param lastSequence the batch's last sequence
   * @param sentAt the sentAt of the send it answers
   * @param accepted ACK: readings Kafka took now
   * @param replayed ACK: readings Kafka had already
   * @param reason NACK: the refusal's label, e.g. {@code truncated}
   * @param message NACK: what was wrong and what to do
   * @param signed false for an unsigned NACK (its HMAC is 32 zero bytes)
   * @param datagram the datagram, to verify its HMAC
   * @param macOffset where the HMAC starts in {@code datagram}
   */
  public record Answer(
      boolean ack,
      String batchId,
      long firstSequence,
      long lastSequence,
      long sentAt,
      int accepted,
      int replayed,
      String reason,
      String message,
      boolean signed,
      byte[] datagram,
      int macOffset) {

    /** True if this answer is signed with {@code key}; compares in constant time. */
    public boolean verify(byte[] key) {
      return signed && verifyMac(key, datagram, macOffset);
    }

    /** The refusal of a NACK, or null for an ACK or a reason this version does not know. */
    public Refusal refusal() {
      if (ack) {
        return null;
      }
      try {
        return Refusal.valueOf(reason.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return ack
          ? "ACK "
              + batchId
              + " "
              + firstSequence
              + ".."
              + lastSequence
              + " sentAt "
              + sentAt
              + ": "
              + accepted
              + " accepted, "
              + replayed
              + " replayed"
          : "NACK "
              + batchId
              + " "
              + firstSequence
              + ".."
              + lastSequence
              + " sentAt "
              + sentAt
              + (signed ? "" : " (unsigned)")
              + ": "
              + reason
              + ": "
              + message;
    }
  }

  /**
   * A datagram that cannot be read, with what was read of it before the fault, so that the sender
   * can be told when the batch id was reached.
   */
  public static final class BadDatagram extends Exception {

    private final Refusal reason;
    private final String authId;
    private final String batchId;
    private final long firstSequence;
    private final long lastSequence;
    private final long sentAt;

    BadDatagram(
        Refusal reason,
        String message,
        String authId,
        String batchId,
        long firstSequence,
        long lastSequence,
        long sentAt) {
      super(message, null, false, false);
      this.reason = reason;
      this.authId = authId;
      this.batchId = batchId;
      this.firstSequence = firstSequence;
      this.lastSequence = lastSequence;
      this.sentAt = sentAt;
    }

    /** TRUNCATED for a datagram that ends too early, else MALFORMED. */
    public Refusal reason() {
      return reason;
    }

    /** The auth id, or null if not reached. */
    public String authId() {
      return authId;
    }

    /** The batch id, or null if not reached. */
    public String batchId() {
      return batchId;
    }

    public long firstSequence() {
      return firstSequence;
    }

    public long lastSequence() {
      return lastSequence;
    }

    public long sentAt() {
      return sentAt;
    }
  }

  /** What a reader reached before a fault. */
  private static final class Progress {
    String authId;
    String batchId;
    long first;
    long last;
    long sentAt;

    BadDatagram bad(Refusal reason, String message) {
      return new BadDatagram(reason, message, authId, batchId, first, last, sentAt);
    }
  }

  /**
   * Reads a DATA datagram. Checks its structure only: the caller verifies the HMAC, then the
   * fields' values ({@link Reassembler}).
   *
   * @throws BadDatagram TRUNCATED if it ends before its fields say, MALFORMED otherwise
   */
  public static Fragment decodeData(byte[] datagram, int length) throws BadDatagram {
    Progress p = new Progress();
    ByteBuffer b = header(datagram, length, TYPE_DATA, p);
    try {
      int authLength = b.get() & 0xff;
      if (authLength == 0) {
        throw p.bad(Refusal.MALFORMED, "empty auth id");
      }
      p.authId = utf8(get(b, authLength), p, "auth id");
      p.batchId = batchId(b, p, false);
      p.first = b.getLong();
      p.last = b.getLong();
      p.sentAt = b.getLong();
      int index = b.getShort() & 0xffff;
      int count = b.getShort() & 0xffff;
      long batchLength = b.getInt() & 0xffff_ffffL;
      int chunkLength = b.getShort() & 0xffff;
      boolean last = index == count - 1;
      int need = chunkLength + (last ? MAC_LENGTH : 0) + MAC_LENGTH;
      if (b.remaining() < need) {
        throw p.bad(
            Refusal.TRUNCATED,
            "fragment "
                + index
                + " of batch "
                + p.batchId
                + " is cut: it ends "
                + (need - b.remaining())
                + " bytes short of its "
                + chunkLength
                + "-byte chunk"
                + (last ? ", batch signature" : "")
                + " and HMAC");
      }
      if (b.remaining() > need) {
        throw p.bad(
            Refusal.MALFORMED,
            "fragment "
                + index
                + " of batch "
                + p.batchId
                + " has "
                + (b.remaining() - need)
                + " bytes after its HMAC");
      }
      byte[] chunk = get(b, chunkLength);
      byte[] signature = last ? get(b, MAC_LENGTH) : null;
      int macOffset = b.position();
      BatchHeader h =
          new BatchHeader(p.authId, p.batchId, p.first, p.last, p.sentAt, count, batchLength);
      return new Fragment(h, index, chunk, signature, datagram, macOffset);
    } catch (BufferUnderflowException e) {
      throw p.bad(
          Refusal.TRUNCATED,
          "a DATA datagram of "
              + length
              + " bytes is cut before the end of its header"
              + (p.batchId == null ? "" : " (batch " + p.batchId + ")"));
    }
  }

  /** Reads an ACK or a NACK; does not verify it ({@link Answer#verify}). */
  public static Answer decodeAnswer(byte[] datagram, int length) throws BadDatagram {
    Progress p = new Progress();
    ByteBuffer b = header(datagram, length, -1, p);
    int type = datagram[3];
    try {
      p.batchId = batchId(b, p, type == TYPE_NACK);
      p.first = b.getLong();
      p.last = b.getLong();
      p.sentAt = b.getLong();
      int accepted = 0;
      int replayed = 0;
      String reason = null;
      String message = null;
      if (type == TYPE_ACK) {
        accepted = b.getInt();
        replayed = b.getInt();
      } else {
        reason = new String(get(b, b.get() & 0xff), StandardCharsets.US_ASCII);
        message = utf8(get(b, b.getShort() & 0xffff), p, "message");
      }
      if (b.remaining() != MAC_LENGTH) {
        throw p.bad(
            b.remaining() < MAC_LENGTH ? Refusal.TRUNCATED : Refusal.MALFORMED,
            "an answer of " + length + " bytes does not end in exactly its 32-byte HMAC");
      }
      int macOffset = b.position();
      boolean signed = false;
      for (int i = macOffset; i < length; i++) {
        signed |= datagram[i] != 0;
      }
      if (!signed && type == TYPE_ACK) {
        throw p.bad(Refusal.MALFORMED, "an unsigned ACK");
      }
      return new Answer(
          type == TYPE_ACK,
          p.batchId,
          p.first,
          p.last,
          p.sentAt,
          accepted,
          replayed,
          reason,
          message,
          signed,
          Arrays.copyOf(datagram, length),
          macOffset);
    } catch (BufferUnderflowException e) {
      throw p.bad(Refusal.TRUNCATED, "an answer of " + length + " bytes is cut");
    }
  }

  /**
   * One DATA datagram.
   *
   * @param payload the whole payload; this fragment carries {@code [offset, offset + length)}
   * @param batchSignature the batch signature if {@code index} is the last, else ignored
   * @throws IllegalArgumentException if a field does not fit the format
   */
  public static byte[] encodeData(
      byte[] key,
      BatchHeader h,
      int index,
      byte[] payload,
      int offset,
      int length,
      byte[] batchSignature) {
    byte[] auth = h.authId().getBytes(StandardCharsets.UTF_8);
    if (auth.length < 1 || auth.length > MAX_AUTH_ID) {
      throw new IllegalArgumentException("auth id must be 1 to 255 bytes of UTF-8: " + h.authId());
    }
    byte[] batch = checkedBatchId(h.batchId());
    if (h.fragmentCount() < 1 || h.fragmentCount() > 0xffff || index < 0 || index > 0xffff) {
      throw new IllegalArgumentException(
          "fragment " + index + " of " + h.fragmentCount() + ": both must be 0..65535");
    }
    if (length < 0 || length > 0xffff || h.batchLength() < 0 || h.batchLength() > 0xffff_ffffL) {
      throw new IllegalArgumentException("chunk of " + length + " bytes: at most 65535");
    }
    boolean last = index == h.fragmentCount() - 1;
    if (last && (batchSignature == null || batchSignature.length != MAC_LENGTH)) {
      throw new IllegalArgumentException("the last fragment needs the 32-byte batch signature");
    }
    ByteBuffer b =
        ByteBuffer.allocate(
            dataOverhead(auth.length, batch.length) + length + (last ? MAC_LENGTH : 0));
    putHeader(b, TYPE_DATA);
    b.put((byte) auth.length).put(auth).put((byte) batch.length).put(batch);
    b.putLong(h.firstSequence()).putLong(h.lastSequence()).putLong(h.sentAt());
    b.putShort((short) index).putShort((short) h.fragmentCount());
    b.putInt((int) h.batchLength()).putShort((short) length).put(payload, offset, length);
    if (last) {
      b.put(batchSignature);
    }
    return sign(key, b);
  }

  /** Bytes of a DATA datagram besides its chunk and batch signature. */
  public static int dataOverhead(int authIdBytes, int batchIdBytes) {
    return HEADER + 1 + authIdBytes + 1 + batchIdBytes + DATA_FIXED + MAC_LENGTH;
  }

  /** An ACK, signed with {@code key}. */
  public static byte[] encodeAck(byte[] key, BatchHeader h, int accepted, int replayed) {
    byte[] batch = checkedBatchId(h.batchId());
    ByteBuffer b = ByteBuffer.allocate(HEADER + 1 + batch.length + 24 + 8 + MAC_LENGTH);
    putHeader(b, TYPE_ACK);
    b.put((byte) batch.length).put(batch);
    b.putLong(h.firstSequence()).putLong(h.lastSequence()).putLong(h.sentAt());
    b.putInt(accepted).putInt(replayed);
    return sign(key, b);
  }

  /**
   * A NACK: signed with {@code key}, or unsigned if it is null, and its message cut (on a character
   * boundary) so that the whole is at most {@code maxLength} bytes.
   *
   * @param batchId the batch, or null if it is not known
   * @return the datagram, or null if not even an empty message fits {@code maxLength}
   */
  public static byte[] encodeNack(
      byte[] key,
      String batchId,
      long firstSequence,
      long lastSequence,
      long sentAt,
      Refusal reason,
      String message,
      int maxLength) {
    byte[] batch = batchId == null ? new byte[0] : checkedBatchId(batchId);
    byte[] label = reason.label().getBytes(StandardCharsets.US_ASCII);
    int fixed = HEADER + 1 + batch.length + 24 + 1 + label.length + 2 + MAC_LENGTH;
    if (fixed > maxLength) {
      return null;
    }
    byte[] text = cut(message == null ? "" : message, Math.min(MAX_MESSAGE, maxLength - fixed));
    ByteBuffer b = ByteBuffer.allocate(fixed + text.length);
    putHeader(b, TYPE_NACK);
    b.put((byte) batch.length).put(batch);
    b.putLong(firstSequence).putLong(lastSequence).putLong(sentAt);
    b.put((byte) label.length).put(label);
    b.putShort((short) text.length).put(text);
    if (key == null) {
      return b.array();
    }
    return sign(key, b);
  }

  /** HMAC-SHA256 of the first {@code length} bytes of {@code data}. */
  static byte[] mac(byte[] key, byte[] data, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(data, 0, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  private static boolean verifyMac(byte[] key, byte[] datagram, int macOffset) {
    byte[] expected = mac(key, datagram, macOffset);
    return MessageDigest.isEqual(
        expected, Arrays.copyOfRange(datagram, macOffset, macOffset + MAC_LENGTH));
  }

  /** Fills the HMAC into the last 32 bytes of {@code b}, which holds everything before. */
  private static byte[] sign(byte[] key, ByteBuffer b) {
    byte[] out = b.array();
    int at = b.position();
    byte[] m = mac(key, out, at);
    if (at + MAC_LENGTH == out.length) {
      System.arraycopy(m, 0, out, at, MAC_LENGTH);
      return out;
    }
    byte[] exact = Arrays.copyOf(out, at + MAC_LENGTH);
    System.arraycopy(m, 0, exact, at, MAC_LENGTH);
    return exact;
  }

  private static void putHeader(ByteBuffer b, int type) {
    b.putShort((short) MAGIC).put((byte) VERSION).put((byte) type);
  }

  private static ByteBuffer header(byte[] d, int length, int type, Progress p) throws BadDatagram {
    if (length < HEADER) {
      throw p.bad(
          Refusal.TRUNCATED, "a datagram of " + length + " bytes, shorter than the 4-byte header");
    }
    int magic = ((d[0] & 0xff) << 8) | (d[1] & 0xff);
    if (magic != MAGIC) {
      throw p.bad(
          Refusal.MALFORMED,
          String.format(
              "not a biometer UDP datagram: magic 0x%04x, expected 0x%04x (\"BM\")", magic, MAGIC));
    }
    if (d[2] != VERSION) {
      throw p.bad(
          Refusal.MALFORMED,
          "protocol version " + (d[2] & 0xff) + "; this side speaks version " + VERSION);
    }
    int t = d[3];
    boolean fits = type < 0 ? t == TYPE_ACK || t == TYPE_NACK : t == type;
    if (!fits) {
      throw p.bad(
          Refusal.MALFORMED,
          "datagram type "
              + (t & 0xff)
              + (type == TYPE_DATA
                  ? "; a meter sends DATA (1)"
                  : "; expected ACK (2) or NACK (3)"));
    }
    return ByteBuffer.wrap(d, HEADER, length - HEADER);
  }

  private static String batchId(ByteBuffer b, Progress p, boolean mayBeEmpty) throws BadDatagram {
    int n = b.get() & 0xff;
    if ((n == 0 && !mayBeEmpty) || n > MAX_BATCH_ID) {
      throw p.bad(Refusal.MALFORMED, "a batch id of " + n + " bytes; it must be 1 to 64");
    }
    byte[] id = get(b, n);
    for (byte c : id) {
      if (c < 0x21 || c > 0x7e) {
        throw p.bad(Refusal.MALFORMED, "the batch id may hold printable ASCII only (0x21 to 0x7e)");
      }
    }
    return new String(id, StandardCharsets.US_ASCII);
  }

  private static byte[] checkedBatchId(String batchId) {
    byte[] id = batchId.getBytes(StandardCharsets.US_ASCII);
    boolean printable = !batchId.isEmpty() && id.length <= MAX_BATCH_ID;
    for (int i = 0; i < batchId.length() && printable; i++) {
      char c = batchId.charAt(i);
      printable = c >= 0x21 && c <= 0x7e;
    }
    if (!printable) {
      throw new IllegalArgumentException(
          "a batch id is 1 to 64 printable ASCII characters (0x21 to 0x7e): '" + batchId + "'");
    }
    return id;
  }

  private static byte[] get(ByteBuffer b, int n) {
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  private static String utf8(byte[] bytes, Progress p, String what) throws BadDatagram {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw p.bad(Refusal.MALFORMED, "the " + what + " is not UTF-8");
    }
  }

  /** The UTF-8 of {@code s}, cut to at most {@code max} bytes without splitting a character. */
  private static byte[] cut(String s, int max) {
    ByteBuffer all = StandardCharsets.UTF_8.encode(CharBuffer.wrap(s));
    int n = Math.min(all.remaining(), Math.max(0, max));
    if (n < all.remaining()) {
      while (n > 0 && (all.get(n) & 0xc0) == 0x80) {
        n--;
      }
    }
    byte[] out = new byte[n];
    all.get(out);
    return out;
  }
}
