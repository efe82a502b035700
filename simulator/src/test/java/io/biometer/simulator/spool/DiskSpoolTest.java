package io.biometer.simulator.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {

  @TempDir Path dir;

  private static DiskSpool.Entry entry(int i) {
    return new DiskSpool.Entry(
        "telemetry.body.readings",
        ("device-" + i).getBytes(StandardCharsets.UTF_8),
        ("value-" + i).getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> values(List<DiskSpool.Spooled> spooled) {
    return spooled.stream()
        .map(s -> new String(s.entry().value(), StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  void entriesComeBackInOrder() {
    try (DiskSpool spool = new DiskSpool(dir, 1 << 20)) {
      for (int i = 0; i < 5; i++) {
        assertThat(spool.append(entry(i))).isTrue();
      }
      assertThat(spool.pendingRecords()).isEqualTo(5);
      assertThat(values(spool.peek(10)))
          .containsExactly("value-0", "value-1", "value-2", "value-3", "value-4");
    }
  }

  @Test
  void ackedEntriesAreNotReplayed() {
    try (DiskSpool spool = new DiskSpool(dir, 1 << 20)) {
      for (int i = 0; i < 5; i++) {
        spool.append(entry(i));
      }
      spool.ack(spool.peek(2));
      assertThat(spool.pendingRecords()).isEqualTo(3);
      assertThat(values(spool.peek(10))).containsExactly("value-2", "value-3", "value-4");
    }
  }

  @Test
  void aRestartedProcessReplaysWhatWasNotAckedInOrder() {
    try (DiskSpool spool = new DiskSpool(dir, 1 << 20)) {
      for (int i = 0; i < 6; i++) {
        spool.append(entry(i));
      }
      spool.ack(spool.peek(2));
    }
    try (DiskSpool reopened = new DiskSpool(dir, 1 << 20)) {
      assertThat(reopened.pendingRecords()).isEqualTo(4);
      assertThat(values(reopened.peek(10)))
          .containsExactly("value-2", "value-3", "value-4", "value-5");
      reopened.append(entry(6));
      assertThat(values(reopened.peek(10))).endsWith("value-6");
    }
  }

  @Test
  void aFullSpoolRefusesSoTheCallerCountsTheLoss() {
    int one = entry(0).encodedSize();
    try (DiskSpool spool = new DiskSpool(dir, one * 3L)) {
      assertThat(spool.append(entry(0))).isTrue();
      assertThat(spool.append(entry(1))).isTrue();
      assertThat(spool.append(entry(2))).isTrue();
      assertThat(spool.append(entry(3))).isFalse();
      assertThat(spool.pendingRecords()).isEqualTo(3);
      spool.ack(spool.peek(1));
      assertThat(spool.append(entry(4))).as("room again after a replay").isTrue();
    }
  }

  @Test
  void aTornEntryAtTheEndIsCutOffOnOpen() throws Exception {
    try (DiskSpool spool = new DiskSpool(dir, 1 << 20)) {
      spool.append(entry(0));
      spool.append(entry(1));
    }
    Path segment = dir.resolve("segment-000000000000.log");
    long size = Files.size(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(size - 3);
    }
    try (DiskSpool reopened = new DiskSpool(dir, 1 << 20)) {
      assertThat(values(reopened.peek(10))).containsExactly("value-0");
      reopened.append(entry(2));
      assertThat(values(reopened.peek(10))).containsExactly("value-0", "value-2");
    }
  }

  @Test
  void nullKeysSurvive() {
    try (DiskSpool spool = new DiskSpool(dir, 1 << 20)) {
      spool.append(new DiskSpool.Entry("t", null, new byte[] {1, 2}));
      DiskSpool.Entry back = spool.peek(1).get(0).entry();
      assertThat(back.key()).isNull();
      assertThat(back.value()).containsExactly(1, 2);
      assertThat(back.topic()).isEqualTo("t");
    }
  }
}
