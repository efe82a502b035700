package io.biometer.streams;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The headers the streams app adds to every record it sends to {@code telemetry.dlq}, a contract
 * for whoever reads the DLQ (the loss ledger, tests, an operator's tools): the names do not change
 * without a changelog entry. Each value is a UTF-8 string, never absent (empty where there is
 * nothing to say). The record keeps the rejected record's original key, value and headers; headers
 * of an earlier rejection (names starting {@value #PREFIX}) are replaced.
 */
public final class DlqHeaders {

  /** What every DLQ header name starts with. */
  public static final String PREFIX = "biometer.dlq.";

  /**
   * Why the record was rejected, e.g. {@code undecodable}, {@code unknown-device}, {@code
   * too-late}, {@code processing-error}.
   */
  public static final String REASON = PREFIX + "reason";

  /** The topic the rejected record was read from. */
  public static final String SOURCE_TOPIC = PREFIX + "source.topic";

  /** Its partition, in decimal. */
  public static final String SOURCE_PARTITION = PREFIX + "source.partition";

  /** Its offset, in decimal. */
  public static final String SOURCE_OFFSET = PREFIX + "source.offset";

  /** Its record timestamp (its event time), epoch milliseconds in decimal. */
  public static final String SOURCE_TIMESTAMP = PREFIX + "source.timestamp";

  /** The class of the exception that rejected it. */
  public static final String EXCEPTION_CLASS = PREFIX + "exception.class";

  /** That exception's message. */
  public static final String EXCEPTION_MESSAGE = PREFIX + "exception.message";

  /** The processor node where it was rejected (the source node for an undecodable record). */
  public static final String PROCESSOR = PREFIX + "processor";

  /**
   * When it was rejected, wall-clock epoch milliseconds in decimal (also the record's timestamp).
   */
  public static final String REJECTED_AT = PREFIX + "rejected.at";

  private DlqHeaders() {}

  /** The last value of header {@code name} in {@code headers} as a string, or null if absent. */
  public static String value(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
