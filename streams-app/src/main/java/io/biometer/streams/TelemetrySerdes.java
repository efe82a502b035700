package io.biometer.streams;

import io.biometer.avro.Alert;
import io.biometer.avro.BodyReading;
import io.biometer.avro.CleanReading;
import io.biometer.avro.ConnectionEvent;
import io.biometer.avro.DailyAggregate;
import io.biometer.avro.DataCompleteness;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.MeterReading;
import io.biometer.avro.SinkStatus;
import io.biometer.serde.AvroSerde;
import io.biometer.serde.AvroSerdeConfig;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The value serdes of the topology's topics, configured for one schema registry. */
public final class TelemetrySerdes {

  public final AvroSerde<BodyReading> body;
  public final AvroSerde<MeterReading> meter;
  public final AvroSerde<SinkStatus> sinkStatus;
  public final AvroSerde<Device> device;
  public final AvroSerde<CleanReading> clean;
  public final AvroSerde<Alert> alert;
  public final AvroSerde<DailyAggregate> aggregate;
  public final AvroSerde<DataCompleteness> completeness;
  public final AvroSerde<DeviceCommand> command;
  public final AvroSerde<ConnectionEvent> connection;

  /**
   * Body and meter readings, read by topic into normalized readings (not yet validated) with their
   * original bytes (a source serde: its serializer writes the original bytes back).
   */
  public final Serde<ReceivedReading> reading;

  /** Serdes over the registry at {@code registryUrl} (or {@code mock://scope}). */
  public TelemetrySerdes(String registryUrl) {
    this(registryUrl, Map.of());
  }

  /**
   * Serdes over the registry at {@code registryUrl} with the serde settings among {@code
   * kafkaClient} ({@link AvroSerdeConfig#clientSettings}: the registry's credentials, whether to
   * auto-register).
   */
  public TelemetrySerdes(String registryUrl, Map<String, ?> kafkaClient) {
    Map<String, Object> config = AvroSerdeConfig.clientSettings(kafkaClient);
    config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
    body = configured(BodyReading.class, config);
    meter = configured(MeterReading.class, config);
    sinkStatus = configured(SinkStatus.class, config);
    device = configured(Device.class, config);
    clean = configured(CleanReading.class, config);
    alert = configured(Alert.class, config);
    aggregate = configured(DailyAggregate.class, config);
    completeness = configured(DataCompleteness.class, config);
    command = configured(DeviceCommand.class, config);
    connection = configured(ConnectionEvent.class, config);
    reading =
        Serdes.serdeFrom(
            (topic, r) -> r == null ? null : r.value(),
            new ReadingDeserializer(body.deserializer(), meter.deserializer()));
  }

  private static <T extends SpecificRecord> AvroSerde<T> configured(
      Class<T> type, Map<String, Object> config) {
    AvroSerde<T> serde = AvroSerde.specific(type);
    serde.configure(config, false);
    return serde;
  }
}
