package io.biometer.streams.internal;

/**
 * The source of a record that a step forwards after it arrived (a reading released once its device
 * was registered), for the DLQ handlers: Kafka Streams gives a handler the context of the record
 * being processed, or an empty one in a punctuation, never that of a record held back and forwarded
 * later. A step sets it around one forward, on the stream thread; the handlers that run within that
 * forward read it. It is a call-scoped parameter the Streams API has no slot for: cleared when the
 * forward returns, nothing outlives the call.
 */
public final class ReleasedSource {

  private static final ThreadLocal<SourceRecord> CURRENT = new ThreadLocal<>();

  private ReleasedSource() {}

  /** Runs {@code forward} with {@code source} as the source of what it processes. */
  public static void forward(SourceRecord source, Runnable forward) {
    CURRENT.set(source);
    try {
      forward.run();
    } finally {
      CURRENT.remove();
    }
  }

  /** The source of the record being forwarded by {@link #forward}, or null outside one. */
  public static SourceRecord current() {
    return CURRENT.get();
  }
}
