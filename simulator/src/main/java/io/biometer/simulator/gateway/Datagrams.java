package io.biometer.simulator.gateway;

import io.biometer.ingress.udp.UdpCodec;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where {@link UdpMeter}s send their batches' datagrams and get the gateway's answers: one {@link
 * UdpSocket} for every meter of a run (an answer names its batch, so one socket serves all), or a
 * test's fake. Thread-safe.
 */
interface Datagrams {

  /** Sends {@code datagrams} to the gateway's UDP port, in order; a lost one is not reported. */
  void send(List<byte[]> datagrams);

  /**
   * Hands every answer naming {@code batchId} to {@code handler} (on the socket's thread) until
   * {@link #forget}; read, not verified: the meter checks the signature with its key.
   */
  void listen(String batchId, Consumer<UdpCodec.Answer> handler);

  /** Stops handing answers to {@code batchId}. */
  void forget(String batchId);
}
