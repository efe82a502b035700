package io.biometer.streams.internal;

import org.apache.kafka.common.header.Headers;

/**
 * Where a record came from and what it was: all a DLQ record needs, kept for a record that is
 * processed later than it arrived (a reading that waited for its device).
 *
 * @param topic the source topic
 * @param partition its partition
 * @param offset its offset
 * @param timestamp the record's timestamp as the topology saw it (the event time)
 * @param key the original key bytes, or null
 * @param value the original value bytes, or null
 * @param headers the original headers
 */
public record SourceRecord(
    String topic,
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    Headers headers) {}
