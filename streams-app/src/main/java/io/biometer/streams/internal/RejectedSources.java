package io.biometer.streams.internal;

import java.util.List;

/**
 * Thrown by a step's punctuator to send records it held back (not the record being processed) to
 * the DLQ, each with its reason: the processing-exception handler turns every one into a DLQ record
 * built from its kept source. Thrown once, after the punctuator did all its other work. Has no
 * stack trace.
 */
public final class RejectedSources extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * One held-back record to reject.
   *
   * @param why the reason and what was wrong, as for the record being processed
   * @param source the record as it arrived
   */
  public record Rejection(Rejected why, SourceRecord source) {}

  private final transient List<Rejection> rejections;

  public RejectedSources(List<Rejection> rejections) {
    super(rejections.size() + " held-back record(s) rejected", null, false, false);
    this.rejections = List.copyOf(rejections);
  }

  public List<Rejection> rejections() {
    return rejections;
  }
}
