package io.biometer.streams;

import io.biometer.avro.CleanReading;

/**
 * A reading as the source node decodes it: the normalized reading (a body or meter reading in the
 * one shape every step works on, not yet validated) and the record's original value bytes, which
 * validation keeps while a reading waits for its device to be registered, so that a reading that
 * waited in vain still reaches the DLQ with its original bytes. The bytes are the consumer record's
 * own array, not a copy.
 *
 * <p>The normalized reading has the Avro type {@link CleanReading} because validation stamps it and
 * passes it on as the contract of {@code telemetry.readings.clean}; before validation it is not
 * clean yet.
 *
 * @param normalized the decoded reading, not yet validated ({@code validatedAt} is the epoch)
 * @param value the original value bytes, in the Confluent wire format
 */
public record ReceivedReading(CleanReading normalized, byte[] value) {}
