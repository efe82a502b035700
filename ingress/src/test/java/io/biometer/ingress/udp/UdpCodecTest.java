package io.biometer.ingress.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.auth.Hmacs;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.readings.ReadingJson;
import io.biometer.ingress.udp.UdpCodec.Answer;
import io.biometer.ingress.udp.UdpCodec.BadDatagram;
import io.biometer.ingress.udp.UdpCodec.BatchHeader;
import io.biometer.ingress.udp.UdpCodec.Fragment;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UdpCodecTest {

  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final byte[] OTHER_KEY =
      "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
  static final long SENT_AT = 1_796_000_000_000L;

  static BatchHeader header(int count, long length) {
    return new BatchHeader("meter-01", "m01-2026-12-01", 100, 103, SENT_AT, count, length);
  }

  @Test
  void dataDatagramRoundTripsAndVerifiesWithItsKeyOnly() throws Exception {
    byte[] payload = "[{\"a\":1},{\"b\":2}]".getBytes(StandardCharsets.UTF_8);
    BatchHeader h = header(2, payload.length);
    byte[] d = UdpCodec.encodeData(KEY, h, 0, payload, 0, 8, null);

    Fragment f = UdpCodec.decodeData(d, d.length);

    assertThat(f.header()).isEqualTo(h);
    assertThat(f.index()).isZero();
    assertThat(f.chunk()).isEqualTo(Arrays.copyOf(payload, 8));
    assertThat(f.batchSignature()).isNull();
    assertThat(f.last()).isFalse();
    assertThat(f.verify(KEY)).isTrue();
    assertThat(f.verify(OTHER_KEY)).isFalse();
    assertThat(d.length).isEqualTo(UdpCodec.dataOverhead(8, 14) + 8);
    assertThat(new byte[] {d[0], d[1], d[2], d[3]}).containsExactly(0x42, 0x4D, 1, 1);
  }

  @Test
  void onlyTheLastFragmentCarriesTheBatchSignature() throws Exception {
    byte[] payload = new byte[10];
    byte[] sig = Hmacs.sign(KEY, "m01", 100, SENT_AT, payload);
    BatchHeader h = header(2, payload.length);
    byte[] d = UdpCodec.encodeData(KEY, h, 1, payload, 5, 5, sig);

    Fragment f = UdpCodec.decodeData(d, d.length);

    assertThat(f.last()).isTrue();
    assertThat(f.batchSignature()).isEqualTo(sig);
    assertThat(f.verify(KEY)).isTrue();
    assertThatThrownBy(() -> UdpCodec.encodeData(KEY, h, 1, payload, 5, 5, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch signature");
  }

  @Test
  void aChangedByteFailsTheHmac() throws Exception {
    byte[] payload = new byte[] {1, 2, 3};
    byte[] d =
        UdpCodec.encodeData(KEY, header(1, 3), 0, payload, 0, 3, new byte[UdpCodec.MAC_LENGTH]);
    for (int i = 4; i < d.length; i += 7) {
      byte[] forged = d.clone();
      forged[i] ^= 0x01;
      try {
        assertThat(UdpCodec.decodeData(forged, forged.length).verify(KEY))
            .as("byte %d", i)
            .isFalse();
      } catch (BadDatagram e) {
        // a flipped length field makes it unreadable, which is as good
      }
    }
  }

  @Test
  void aCutDatagramIsTruncatedAndStillNamesItsBatch() throws Exception {
    byte[] d = UdpCodec.encodeData(KEY, header(3, 30), 0, new byte[30], 0, 10, null);

    assertThatThrownBy(() -> UdpCodec.decodeData(d, d.length - 1))
        .isInstanceOfSatisfying(
            BadDatagram.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Refusal.TRUNCATED);
              assertThat(e.batchId()).isEqualTo("m01-2026-12-01");
              assertThat(e.authId()).isEqualTo("meter-01");
              assertThat(e.sentAt()).isEqualTo(SENT_AT);
              assertThat(e.getMessage()).contains("fragment 0", "1 bytes short");
            });
    assertThatThrownBy(() -> UdpCodec.decodeData(d, 40))
        .isInstanceOfSatisfying(
            BadDatagram.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Refusal.TRUNCATED);
              assertThat(e.batchId()).isEqualTo("m01-2026-12-01");
            });
  }

  @Test
  void aDatagramShorterThanTheHeaderIsTruncatedWithoutABatch() {
    assertThatThrownBy(() -> UdpCodec.decodeData(new byte[] {0x42, 0x4D, 1}, 3))
        .isInstanceOfSatisfying(
            BadDatagram.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Refusal.TRUNCATED);
              assertThat(e.batchId()).isNull();
              assertThat(e.getMessage()).contains("3 bytes");
            });
  }

  @Test
  void badMagicVersionOrTypeIsMalformed() throws Exception {
    byte[] d = UdpCodec.encodeData(KEY, header(2, 20), 0, new byte[20], 0, 10, null);
    byte[] magic = d.clone();
    magic[0] = 'X';
    byte[] version = d.clone();
    version[2] = 2;
    byte[] type = d.clone();
    type[3] = UdpCodec.TYPE_ACK;

    assertThatThrownBy(() -> UdpCodec.decodeData(magic, magic.length))
        .isInstanceOfSatisfying(
            BadDatagram.class, e -> assertThat(e.reason()).isEqualTo(Refusal.MALFORMED))
        .hasMessageContaining("magic");
    assertThatThrownBy(() -> UdpCodec.decodeData(version, version.length))
        .hasMessageContaining("version 2");
    assertThatThrownBy(() -> UdpCodec.decodeData(type, type.length))
        .hasMessageContaining("DATA (1)");
  }

  @Test
  void bytesAfterTheHmacAreMalformed() throws Exception {
    byte[] d = UdpCodec.encodeData(KEY, header(2, 20), 0, new byte[20], 0, 10, null);
    byte[] longer = Arrays.copyOf(d, d.length + 3);

    assertThatThrownBy(() -> UdpCodec.decodeData(longer, longer.length))
        .isInstanceOfSatisfying(
            BadDatagram.class, e -> assertThat(e.reason()).isEqualTo(Refusal.MALFORMED))
        .hasMessageContaining("3 bytes after its HMAC");
  }

  @Test
  void aBatchIdOutsidePrintableAsciiIsRefused() {
    BatchHeader h = new BatchHeader("meter-01", "day 1", 0, 0, SENT_AT, 1, 1);

    assertThatThrownBy(
            () -> UdpCodec.encodeData(KEY, h, 0, new byte[1], 0, 1, new byte[UdpCodec.MAC_LENGTH]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("printable ASCII");
  }

  @Test
  void ackRoundTripsAndVerifiesWithItsKeyOnly() throws Exception {
    byte[] d = UdpCodec.encodeAck(KEY, header(4, 4000), 3, 1);

    Answer a = UdpCodec.decodeAnswer(d, d.length);

    assertThat(a.ack()).isTrue();
    assertThat(a.batchId()).isEqualTo("m01-2026-12-01");
    assertThat(a.firstSequence()).isEqualTo(100);
    assertThat(a.lastSequence()).isEqualTo(103);
    assertThat(a.sentAt()).isEqualTo(SENT_AT);
    assertThat(a.accepted()).isEqualTo(3);
    assertThat(a.replayed()).isEqualTo(1);
    assertThat(a.signed()).isTrue();
    assertThat(a.verify(KEY)).isTrue();
    assertThat(a.verify(OTHER_KEY)).isFalse();
  }

  @Test
  void aForgedAckDoesNotVerify() throws Exception {
    byte[] d = UdpCodec.encodeAck(OTHER_KEY, header(4, 4000), 4, 0);

    assertThat(UdpCodec.decodeAnswer(d, d.length).verify(KEY)).isFalse();
    byte[] unsigned = d.clone();
    Arrays.fill(unsigned, d.length - UdpCodec.MAC_LENGTH, d.length, (byte) 0);
    assertThatThrownBy(() -> UdpCodec.decodeAnswer(unsigned, unsigned.length))
        .hasMessageContaining("unsigned ACK");
  }

  @Test
  void nackRoundTripsWithReasonAndMessage() throws Exception {
    byte[] d =
        UdpCodec.encodeNack(
            KEY,
            "m01-2026-12-01",
            100,
            103,
            SENT_AT,
            Refusal.CLOCK_SKEW,
            "set the clock — now",
            9999);

    Answer a = UdpCodec.decodeAnswer(d, d.length);

    assertThat(a.ack()).isFalse();
    assertThat(a.reason()).isEqualTo("clock_skew");
    assertThat(a.refusal()).isEqualTo(Refusal.CLOCK_SKEW);
    assertThat(a.message()).isEqualTo("set the clock — now");
    assertThat(a.signed()).isTrue();
    assertThat(a.verify(KEY)).isTrue();
  }

  @Test
  void anUnsignedNackHasAZeroMacAndFitsTheDatagramItAnswers() throws Exception {
    String message = "é".repeat(300);
    byte[] d = UdpCodec.encodeNack(null, "b1", 1, 2, SENT_AT, Refusal.BAD_SIGNATURE, message, 120);

    assertThat(d.length).isLessThanOrEqualTo(120);
    Answer a = UdpCodec.decodeAnswer(d, d.length);
    assertThat(a.signed()).isFalse();
    assertThat(a.verify(KEY)).isFalse();
    assertThat(a.refusal()).isEqualTo(Refusal.BAD_SIGNATURE);
    assertThat(a.message()).isNotEmpty().matches("é+");
    assertThat(UdpCodec.encodeNack(null, "b1", 1, 2, SENT_AT, Refusal.TRUNCATED, "x", 40)).isNull();
  }

  @Test
  void aNackMayNameNoBatch() throws Exception {
    byte[] d = UdpCodec.encodeNack(null, null, 0, 0, 0, Refusal.MALFORMED, "what", 500);

    assertThat(UdpCodec.decodeAnswer(d, d.length).batchId()).isEmpty();
  }

  @Test
  void theClientSplitsABatchIntoDatagramsThatReassembleToThePayload() throws Exception {
    byte[] payload = new byte[5000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    List<byte[]> ds =
        UdpBatchClient.datagrams(KEY, "meter-01", "m01", "b7", 10, 20, SENT_AT, payload, 1232);

    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < ds.size(); i++) {
      byte[] d = ds.get(i);
      assertThat(d.length).isLessThanOrEqualTo(1232);
      Fragment f = UdpCodec.decodeData(d, d.length);
      assertThat(f.index()).isEqualTo(i);
      assertThat(f.header().fragmentCount()).isEqualTo(ds.size());
      assertThat(f.header().batchLength()).isEqualTo(5000);
      assertThat(f.verify(KEY)).isTrue();
      joined.write(f.chunk());
      if (f.last()) {
        assertThat(Hmacs.verify(KEY, "m01", 10, SENT_AT, payload, f.batchSignature())).isTrue();
      }
    }
    assertThat(ds).hasSize(5);
    assertThat(joined.toByteArray()).isEqualTo(payload);
  }

  @Test
  void theClientsJsonIsWhatReadingJsonReads() {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("soil_temperature", 18.25);
    values.put("soil_humidity", 1.0E-5);
    DeviceReading r = new DeviceReading("m\"01\\\n", 7, 1, 1_795_900_000_000L, values, 33.3f);

    byte[] json = UdpBatchClient.json(List.of(r, r), SENT_AT);

    List<DeviceReading> back = ReadingJson.parse(Buffer.buffer(json));
    DeviceReading expected =
        new DeviceReading(r.deviceId(), 7, SENT_AT, r.eventTime(), values, 33.3f);
    assertThat(back).containsExactly(expected, expected);
  }
}
