package io.biometer.simulator.gateway;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.udp.UdpCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A gateway's UDP port in a test's hands: keeps every send of a batch (its datagrams decoded and
 * checked), and answers as the test says, signed with a key of the test's choosing or unsigned.
 */
final class FakeDatagrams implements Datagrams {

  /** One send of a batch: its DATA datagrams, put back together. */
  record Send(UdpCodec.BatchHeader header, List<UdpCodec.Fragment> fragments, byte[] payload) {

    String batchId() {
      return header.batchId();
    }

    long sentAt() {
      return header.sentAt();
    }

    String json() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  final List<Send> sends = new ArrayList<>();
  final Map<String, Consumer<UdpCodec.Answer>> listeners = new HashMap<>();

  @Override
  public void send(List<byte[]> datagrams) {
    List<UdpCodec.Fragment> fragments = new ArrayList<>();
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    for (byte[] d : datagrams) {
      UdpCodec.Fragment f;
      try {
        f = UdpCodec.decodeData(d, d.length);
      } catch (UdpCodec.BadDatagram e) {
        throw new AssertionError("the meter sent a datagram the gateway cannot read", e);
      }
      if (d.length > UdpCodec.DEFAULT_DATAGRAM) {
        throw new AssertionError("a datagram of " + d.length + " bytes");
      }
      fragments.add(f);
      payload.writeBytes(f.chunk());
    }
    sends.add(new Send(fragments.get(0).header(), fragments, payload.toByteArray()));
  }

  @Override
  public void listen(String batchId, Consumer<UdpCodec.Answer> handler) {
    listeners.put(batchId, handler);
  }

  @Override
  public void forget(String batchId) {
    listeners.remove(batchId);
  }

  /** The last send. */
  Send last() {
    return sends.get(sends.size() - 1);
  }

  /** Hands {@code datagram}, an answer, to the listener of its batch, if any. */
  void answer(byte[] datagram) {
    UdpCodec.Answer a;
    try {
      a = UdpCodec.decodeAnswer(datagram, datagram.length);
    } catch (UdpCodec.BadDatagram e) {
      throw new AssertionError(e);
    }
    Consumer<UdpCodec.Answer> h = listeners.get(a.batchId());
    if (h != null) {
      h.accept(a);
    }
  }

  /** A signed ACK of {@code s}: {@code accepted} now, the rest replays. */
  void ack(byte[] key, Send s, int accepted, int replayed) {
    answer(UdpCodec.encodeAck(key, s.header(), accepted, replayed));
  }

  /** A NACK of {@code s}, signed with {@code key}, or unsigned if it is null. */
  void nack(byte[] key, Send s, Refusal reason) {
    UdpCodec.BatchHeader h = s.header();
    answer(
        UdpCodec.encodeNack(
            key,
            h.batchId(),
            h.firstSequence(),
            h.lastSequence(),
            h.sentAt(),
            reason,
            reason.label() + " for the test",
            Integer.MAX_VALUE));
  }
}
