package io.biometer.ingress.udp;

import static io.biometer.ingress.udp.UdpCodecTest.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.udp.UdpCodec.Answer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What a meter's batch gets back from the UDP front end when it is good. */
class UdpFrontEndTest extends UdpFrontEndHarness {

  @Test
  void aBatchIsAckedOnlyOnceKafkaHasEveryReading() throws Exception {
    List<CompletableFuture<Void>> kafka = new CopyOnWriteArrayList<>();
    admission =
        r -> {
          CompletableFuture<Void> f = new CompletableFuture<>();
          kafka.add(f);
          return f;
        };
    List<DeviceReading> batch = readings(40, 12);
    List<byte[]> datagrams = client.maxDatagram(400).datagrams("m01-day-1", batch, NOW);
    assertThat(datagrams).hasSizeGreaterThan(3);

    sendAll(datagrams);
    awaitCalls(12);
    assertThat(client.receive(Duration.ofMillis(100))).isNull();
    kafka.subList(0, 11).forEach(f -> f.complete(null));
    assertThat(client.receive(Duration.ofMillis(100))).isNull();
    kafka.get(11).complete(null);
    Answer a = client.receive(WAIT);

    assertThat(a.ack()).isTrue();
    assertThat(a.verify(KEY)).isTrue();
    assertThat(a.batchId()).isEqualTo("m01-day-1");
    assertThat(a.firstSequence()).isEqualTo(40);
    assertThat(a.lastSequence()).isEqualTo(51);
    assertThat(a.sentAt()).isEqualTo(NOW);
    assertThat(a.accepted()).isEqualTo(12);
    assertThat(a.replayed()).isZero();
    assertThat(calls)
        .extracting(c -> c.reading().sequence())
        .containsExactlyElementsOf(batch.stream().map(DeviceReading::sequence).toList());
    assertThat(calls)
        .allSatisfy(
            c -> {
              assertThat(c.principal().deviceId()).isEqualTo("m01");
              assertThat(c.principal().authId()).isEqualTo("meter-01");
              assertThat(c.relayId()).isEqualTo("m01-day-1");
              assertThat(c.protocol()).isEqualTo("udp");
              assertThat(c.reading().sentAt()).isEqualTo(NOW);
            });
  }

  @Test
  void aResentBatchWhoseReadingsWereAcceptedIsAckedAgainAsReplays() throws Exception {
    Set<Long> inKafka = ConcurrentHashMap.newKeySet();
    admission =
        r ->
            inKafka.add(r.sequence())
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new Refused(Refusal.REPLAY, r.id() + " again"));

    Answer first = client.deliver("m01-day-1", readings(0, 5), WAIT, 1);
    wall.addAndGet(60_000);
    Answer again = client.deliver("m01-day-1", readings(0, 5), WAIT, 1);

    assertThat(first.ack()).isTrue();
    assertThat(first.accepted()).isEqualTo(5);
    assertThat(again.ack()).isTrue();
    assertThat(again.verify(KEY)).isTrue();
    assertThat(again.accepted()).isZero();
    assertThat(again.replayed()).isEqualTo(5);
    assertThat(again.sentAt()).isEqualTo(NOW + 60_000);
  }

  @Test
  void aReadingAdmissionRefusesGetsASignedNackWithItsReason() throws Exception {
    admission =
        r ->
            r.sequence() == 2
                ? CompletableFuture.failedFuture(
                    new Refused(Refusal.UNKNOWN_FIELD, r.id() + ": unknown channel 'ph'"))
                : CompletableFuture.completedFuture(null);

    Answer a = client.deliver("m01-day-1", readings(0, 4), WAIT, 3);

    assertThat(a.ack()).isFalse();
    assertThat(a.verify(KEY)).isTrue();
    assertThat(a.refusal()).isEqualTo(Refusal.UNKNOWN_FIELD);
    assertThat(a.message())
        .contains("1 of 4 readings refused (3 accepted, 0 delivered before)", "m01/2", "'ph'");
    assertThat(calls).hasSize(4);
  }

  @Test
  void deliverSendsAgainAfterKafkaWasUnavailableUntilAcked() throws Exception {
    Set<Long> inKafka = ConcurrentHashMap.newKeySet();
    admission =
        r -> {
          if (calls.size() <= 3) {
            return CompletableFuture.failedFuture(
                new Refused(Refusal.UNAVAILABLE, r.id() + ": Kafka did not acknowledge it"));
          }
          return inKafka.add(r.sequence())
              ? CompletableFuture.completedFuture(null)
              : CompletableFuture.failedFuture(new Refused(Refusal.REPLAY, r.id()));
        };

    Answer a = client.deliver("m01-day-1", readings(7, 3), Duration.ofMillis(300), 20);

    assertThat(a.ack()).isTrue();
    assertThat(a.accepted() + a.replayed()).isEqualTo(3);
    assertThat(calls.stream().map(c -> c.reading().sentAt()).distinct().count())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void aSecondSendIsAdmittedOnlyOnceTheFirstIsDone() throws Exception {
    List<CompletableFuture<Void>> kafka = new CopyOnWriteArrayList<>();
    admission =
        r -> {
          if (calls.size() <= 3) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            kafka.add(f);
            return f;
          }
          return CompletableFuture.failedFuture(new Refused(Refusal.REPLAY, r.id()));
        };
    client.maxDatagram(400);
    sendAll(client.datagrams("m01-day-1", readings(0, 3), NOW));
    awaitCalls(3);

    sendAll(client.datagrams("m01-day-1", readings(0, 3), NOW + 1));
    // Datagrams from one socket are handled in order: once this one is counted, so is the send.
    client.sendDatagram(new byte[] {'n', 'o', 'p', 'e'});
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(() -> metrics.refusedCount(Refusal.MALFORMED) == 1);
    assertThat(calls).hasSize(3);
    kafka.forEach(f -> f.complete(null));
    Answer first = client.receive(WAIT);
    Answer second = client.receive(WAIT);

    assertThat(first.sentAt()).isEqualTo(NOW);
    assertThat(first.accepted()).isEqualTo(3);
    assertThat(second.sentAt()).isEqualTo(NOW + 1);
    assertThat(second.replayed()).isEqualTo(3);
    assertThat(calls).hasSize(6);
  }

  @Test
  void lateCopiesOfAnAckedBatchsDatagramsGetTheSameAckWithoutAdmission() throws Exception {
    List<byte[]> datagrams = client.maxDatagram(400).datagrams("m01-day-1", readings(0, 6), NOW);
    sendAll(datagrams);
    Answer ack = client.receive(WAIT);

    client.sendDatagram(datagrams.get(1));
    Answer again = client.receive(WAIT);

    assertThat(ack.ack()).isTrue();
    assertThat(again.datagram()).isEqualTo(ack.datagram());
    assertThat(calls).hasSize(6);
  }

  @Test
  void theGatewayReportsBatchesInReassembly() throws Exception {
    List<byte[]> datagrams = client.maxDatagram(400).datagrams("m01-day-1", readings(0, 6), NOW);
    sendAll(datagrams.subList(0, datagrams.size() - 1));

    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(() -> gauge("biometer.ingress.udp.batches") == 1.0);
    assertThat(gauge("biometer.ingress.udp.buffered"))
        .isEqualTo(
            UdpCodec.decodeData(datagrams.get(0), datagrams.get(0).length).header().batchLength()
                + datagrams.size() * Reassembler.FRAGMENT_OVERHEAD);
    client.sendDatagram(datagrams.get(datagrams.size() - 1));
    assertThat(client.receive(WAIT).ack()).isTrue();
    assertThat(gauge("biometer.ingress.udp.batches")).isZero();
  }
}
