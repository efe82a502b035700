package io.biometer.simulator.engine;

import io.biometer.simulator.model.Episode;

/**
 * What the simulation did on purpose, for a later check against the pipeline's alerts and
 * aggregates. Called from the scheduler threads; implementations are thread-safe.
 */
public interface GroundTruth {

  /** Records nothing. */
  GroundTruth NONE =
      new GroundTruth() {
        @Override
        public void episode(String deviceId, Episode episode) {}

        @Override
        public void duplicated(String deviceId, long sequence, int copies) {}

        @Override
        public void noSinkAwake(String deviceId, long sequence, long eventTime) {}

        @Override
        public void meterBatch(
            String deviceId, String batchId, int samples, long from, long to, long uploadedAt) {}
      };

  /** An abnormal episode was injected into a device's signal. */
  void episode(String deviceId, Episode episode);

  /** A reading was relayed by more than one sink on purpose. */
  void duplicated(String deviceId, long sequence, int copies);

  /** A reading could not be relayed because both of the patient's sinks were asleep. */
  void noSinkAwake(String deviceId, long sequence, long eventTime);

  /** A meter uploaded a batch of samples with event times in [from, to]. */
  void meterBatch(
      String deviceId, String batchId, int samples, long from, long to, long uploadedAt);

  /** A record could not be sent to Kafka and was kept in the spool. */
  default void spooled(String topic, String key, long sequence) {}

  /** A record was lost: the spool was full, or Kafka refused it for good. */
  default void lost(String topic, String key, long sequence, String why) {}
}
