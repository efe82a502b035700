package io.biometer.streams.internal;

import java.nio.charset.StandardCharsets;

/**
 * The original key and value bytes of the reading being forwarded, for the DLQ handlers. Kafka
 * Streams frees a record's raw bytes from the handler's context as soon as any output of that
 * record is sent (RecordCollectorImpl, to save memory), so a step after the clean-readings sink
 * (daily aggregation rejecting a reading as too-late) would send a DLQ record without the bytes it
 * rejected. Validation decodes every reading with its bytes kept ({@code ReceivedReading}) and sets
 * them here around its forward, on the stream thread; cleared when the forward returns.
 */
public final class OriginalBytes {

  /** A record's key and value bytes. */
  public record Bytes(byte[] key, byte[] value) {}

  private static final ThreadLocal<Bytes> CURRENT = new ThreadLocal<>();

  private OriginalBytes() {}

  /** Runs {@code forward} with the original key and value bytes of what it processes. */
  public static void forward(String key, byte[] value, Runnable forward) {
    CURRENT.set(new Bytes(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
    try {
      forward.run();
    } finally {
      CURRENT.remove();
    }
  }

  /** The bytes of the record being forwarded by {@link #forward}, or null outside one. */
  public static Bytes current() {
    return CURRENT.get();
  }
}
