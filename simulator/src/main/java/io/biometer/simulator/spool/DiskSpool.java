package io.biometer.simulator.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, append-only on-disk queue of records that could not be sent, kept while Kafka is
 * unreachable and replayed in order afterwards. It survives a restart of the process: entries are
 * in segment files, the replay position in {@code position}, and a torn entry at the end (the
 * process died mid-write) is cut off on open, checked by a CRC per entry.
 *
 * <p>Bounded by {@code maxBytes} of unsent entries: {@link #append} refuses an entry that does not
 * fit, and the caller counts it as lost. Thread-safe.
 */
public final class DiskSpool implements AutoCloseable {

  /** A record to send later: topic, key and value bytes as they would have gone to Kafka. */
  public record Entry(String topic, byte[] key, byte[] value) {
    int encodedSize() {
      return 4
          + 4
          + 2
          + topic.getBytes(StandardCharsets.UTF_8).length
          + 4
          + (key == null ? 0 : key.length)
          + 4
          + value.length;
    }
  }

  /** Where replay stands: a segment and a byte offset in it. */
  public record Position(long segment, long offset) {}

  /** An entry and the position just after it (what to {@link #ack} once it is sent). */
  public record Spooled(Entry entry, Position next) {}

  private static final Logger log = LoggerFactory.getLogger(DiskSpool.class);
  private static final long SEGMENT_BYTES = 16L * 1024 * 1024;

  private final Path dir;
  private final long maxBytes;
  private final TreeMap<Long, Path> segments = new TreeMap<>();
  private FileChannel writer;
  private long writerSegment;
  private Position read;
  private long pendingBytes;
  private long pendingRecords;

  /** Opens (or creates) the spool in {@code dir}, holding at most {@code maxBytes} unsent. */
  public DiskSpool(Path dir, long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("spool size must be > 0 bytes, got " + maxBytes);
    }
    this.dir = dir;
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(dir);
      open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open spool in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void open() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      files
          .filter(p -> p.getFileName().toString().matches("segment-\\d{12}\\.log"))
          .forEach(
              p -> segments.put(Long.parseLong(p.getFileName().toString().substring(8, 20)), p));
    }
    read = readPosition();
    if (segments.isEmpty()) {
      segments.put(0L, segmentPath(0));
      read = new Position(0, 0);
    }
    if (!segments.containsKey(read.segment())) {
      read = new Position(segments.firstKey(), 0);
    }
    // Count what is unsent, and cut a torn last entry off the last segment.
    for (long seg : segments.tailMap(read.segment(), true).keySet()) {
      long offset = seg == read.segment() ? read.offset() : 0;
      try (FileChannel ch =
          FileChannel.open(
              segments.get(seg),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE)) {
        while (true) {
          ReadResult r = readAt(ch, offset);
          if (r == null) {
            break;
          }
          pendingRecords++;
          pendingBytes += r.size;
          offset += r.size;
        }
        if (ch.size() > offset) {
          log.warn(
              "spool {}: cutting {} bytes of a torn entry off {}",
              dir,
              ch.size() - offset,
              segments.get(seg).getFileName());
          ch.truncate(offset);
        }
      }
    }
    writerSegment = segments.lastKey();
    writer =
        FileChannel.open(
            segments.get(writerSegment),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
  }

  private Path segmentPath(long n) {
    return dir.resolve(String.format("segment-%012d.log", n));
  }

  private Position readPosition() throws IOException {
    Path p = dir.resolve("position");
    if (!Files.exists(p)) {
      return new Position(segments.isEmpty() ? 0 : segments.firstKey(), 0);
    }
    String[] parts = Files.readString(p).trim().split(" ");
    return new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
  }

  /** Appends an entry; false if it does not fit (the caller counts it lost). */
  public synchronized boolean append(Entry e) {
    int size = e.encodedSize();
    if (pendingBytes + size > maxBytes) {
      return false;
    }
    byte[] topic = e.topic().getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(size - 8);
    body.putShort((short) topic.length).put(topic);
    if (e.key() == null) {
      body.putInt(-1);
    } else {
      body.putInt(e.key().length).put(e.key());
    }
    body.putInt(e.value().length).put(e.value());
    body.flip();
    CRC32 crc = new CRC32();
    crc.update(body.duplicate());
    ByteBuffer frame = ByteBuffer.allocate(size);
    frame.putInt(size - 8).putInt((int) crc.getValue()).put(body).flip();
    try {
      if (writer.size() >= SEGMENT_BYTES) {
        roll();
      }
      while (frame.hasRemaining()) {
        writer.write(frame);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write to spool " + dir + ": " + ex.getMessage(), ex);
    }
    pendingBytes += size;
    pendingRecords++;
    return true;
  }

  private void roll() throws IOException {
    writer.close();
    writerSegment++;
    Path p = segmentPath(writerSegment);
    segments.put(writerSegment, p);
    writer =
        FileChannel.open(
            p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** Up to {@code max} unsent entries in order, from the replay position; does not remove them. */
  public synchronized List<Spooled> peek(int max) {
    List<Spooled> out = new ArrayList<>();
    Position at = read;
    try {
      while (out.size() < max) {
        Path seg = segments.get(at.segment());
        if (seg == null) {
          break;
        }
        ReadResult r;
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
          r = readAt(ch, at.offset());
        }
        if (r == null) {
          Long next = segments.higherKey(at.segment());
          if (next == null) {
            break;
          }
          at = new Position(next, 0);
          continue;
        }
        at = new Position(at.segment(), at.offset() + r.size);
        out.add(new Spooled(r.entry, at));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read spool " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Marks {@code sent} (a prefix of what {@link #peek} returned, in order) as sent: it is never
   * replayed again.
   */
  public synchronized void ack(List<Spooled> sent) {
    if (sent.isEmpty()) {
      return;
    }
    Position next = sent.get(sent.size() - 1).next();
    long bytes = 0;
    for (Spooled s : sent) {
      bytes += s.entry().encodedSize();
    }
    int count = sent.size();
    try {
      Path tmp = dir.resolve("position.tmp");
      Files.writeString(tmp, next.segment() + " " + next.offset() + "\n");
      Files.move(
          tmp,
          dir.resolve("position"),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      read = next;
      pendingRecords -= count;
      pendingBytes -= bytes;
      // Segments wholly before the replay position are done with.
      for (Long seg : new ArrayList<>(segments.headMap(next.segment(), false).keySet())) {
        Files.deleteIfExists(segments.remove(seg));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot record spool position in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Entries not yet acknowledged. */
  public synchronized long pendingRecords() {
    return pendingRecords;
  }

  /** Bytes of entries not yet acknowledged. */
  public synchronized long pendingBytes() {
    return pendingBytes;
  }

  /** The folder of the spool. */
  public Path dir() {
    return dir;
  }

  /** Flushes to disk and closes the files. */
  @Override
  public synchronized void close() {
    try {
      writer.force(true);
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close spool " + dir + ": " + e.getMessage(), e);
    }
  }

  private record ReadResult(Entry entry, int size) {}

  /** The entry at {@code offset}, or null at the end or at a torn or corrupt entry. */
  private static ReadResult readAt(FileChannel ch, long offset) throws IOException {
    if (ch.size() - offset < 8) {
      return null;
    }
    ByteBuffer head = ByteBuffer.allocate(8);
    ch.read(head, offset);
    head.flip();
    int len = head.getInt();
    int crc = head.getInt();
    if (len < 10 || ch.size() - offset - 8 < len) {
      return null;
    }
    ByteBuffer body = ByteBuffer.allocate(len);
    while (body.hasRemaining()) {
      if (ch.read(body, offset + 8 + body.position()) < 0) {
        return null;
      }
    }
    body.flip();
    CRC32 check = new CRC32();
    check.update(body.duplicate());
    if ((int) check.getValue() != crc) {
      return null;
    }
    byte[] topic = new byte[body.getShort()];
    body.get(topic);
    int keyLen = body.getInt();
    byte[] key = null;
    if (keyLen >= 0) {
      key = new byte[keyLen];
      body.get(key);
    }
    byte[] value = new byte[body.getInt()];
    body.get(value);
    return new ReadResult(
        new Entry(new String(topic, StandardCharsets.UTF_8), key, value), len + 8);
  }
}
