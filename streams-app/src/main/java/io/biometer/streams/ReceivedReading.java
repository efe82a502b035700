package io.biometer.streams;

import io.biometer.avro.CleanReading;

/**
 * A reading as the source node decodes it: the {@link CleanReading} every step works on, and the
 * record's original value bytes, which validation keeps while a reading waits for its device to be
 * registered, so that a reading that waited in vain still reaches the DLQ with its original bytes.
 * The bytes are the consumer record's own array, not a copy.
 *
 * @param reading the decoded reading
 * @param value the original value bytes, in the Confluent wire format
 */
public record ReceivedReading(CleanReading reading, byte[] value) {}
