package io.biometer.simulator;

import io.biometer.serde.AvroSerdeConfig;
import io.biometer.simulator.engine.GroundTruth;
import io.biometer.simulator.engine.Output;
import io.biometer.simulator.engine.Scheduler;
import io.biometer.simulator.engine.SimClock;
import io.biometer.simulator.engine.Simulation;
import io.biometer.simulator.gateway.GatewayOutput;
import io.biometer.simulator.gateway.GatewayStats;
import io.biometer.simulator.kafka.GroundTruthFile;
import io.biometer.simulator.kafka.KafkaOutput;
import io.biometer.simulator.kafka.RunStats;
import io.biometer.simulator.spool.DiskSpool;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running simulator: the population, its scheduler threads, and the Kafka output with its spool;
 * through the gateway ({@code via} http, ws or mqtt) also the simulated devices' connections, while
 * registry entries, credentials and sink statuses still go to Kafka directly. The command line and
 * the local stack both start the simulator through this class.
 */
public final class SimulatorRun implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SimulatorRun.class);

  private final SimulatorSettings settings;
  private final RunStats stats = new RunStats();
  private final DiskSpool spool;
  private final GroundTruthFile truthFile;
  private final KafkaOutput output;
  private final GatewayOutput gateway;
  private final Simulation simulation;
  private final SimClock clock;
  private final Scheduler scheduler;
  private final long wallStart = System.nanoTime();
  private long lastProgressNanos = wallStart;
  private long lastProgressAcked;
  private long lastProgressDelivered;
  private long lastGatewayNanos = wallStart;
  private boolean closed;

  private SimulatorRun(SimulatorSettings s, GatewayOutput.Listener listener) {
    this.settings = s;
    this.spool = new DiskSpool(s.spoolDir(), s.spoolMaxBytes());
    this.truthFile = s.groundTruth() == null ? null : new GroundTruthFile(s.groundTruth());
    GroundTruth truth = truthFile == null ? GroundTruth.NONE : truthFile;
    Map<String, Object> producer = new HashMap<>(s.producerOverrides());
    producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    Map<String, Object> serde = AvroSerdeConfig.clientSettings(s.producerOverrides());
    serde.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, s.registryUrl());
    this.output = new KafkaOutput(producer, serde, spool, stats, truth);
    GatewayOutput g = null;
    try {
      g =
          s.gateway().via().throughGateway()
              ? GatewayOutput.create(s.gateway(), output, truth)
              : null;
      if (g != null && listener != null) {
        g.listener(listener);
      }
      Output out = g != null ? g : output;
      this.simulation = new Simulation(s.simulation(), out, truth, s.threads());
      if (s.registerDevices()) {
        simulation.registerDevices();
      }
      if (g != null) {
        g.start();
      }
    } catch (RuntimeException e) {
      if (g != null) {
        g.close(java.time.Duration.ZERO);
      }
      output.close(java.time.Duration.ZERO);
      spool.close();
      throw e;
    }
    this.gateway = g;
    this.clock = new SimClock(s.simulation().simStart(), s.speed());
    if (g != null) {
      g.startActuators(clock::now, clock.speed(), s.simulation().sequenceOrigin());
    } else if (s.simulation().actuators()) {
      log.info(
          "actuators: none via kafka: fans and valves take their commands through the gateway;"
              + " run via mqtt, http, ws, grpc or udp to have them");
    }
    this.scheduler = new Scheduler(simulation, clock);
    scheduler.start();
  }

  /** Starts a run; its threads work until {@link #close()}. */
  public static SimulatorRun start(SimulatorSettings settings) {
    return new SimulatorRun(settings, null);
  }

  /**
   * Starts a run whose devices tell {@code listener} of every reading the gateway has, from the
   * first (tests and tools; ignored via kafka).
   */
  public static SimulatorRun start(SimulatorSettings settings, GatewayOutput.Listener listener) {
    return new SimulatorRun(settings, listener);
  }

  /** The error that stopped the scheduler, or null while it runs. */
  public Throwable failure() {
    return scheduler.failure();
  }

  /** What the simulation did. */
  public Simulation.Counters counters() {
    return simulation.counters();
  }

  /** What reached Kafka. */
  public RunStats stats() {
    return stats;
  }

  /** The devices' connections through the gateway, or null when the simulator produces itself. */
  public GatewayOutput gateway() {
    return gateway;
  }

  /** Records waiting in the spool. */
  public long spoolSize() {
    return output.spoolSize();
  }

  /** One line of progress: rate since the last call, errors, spool, sinks asleep. */
  public synchronized String progressLine() {
    long now = System.nanoTime();
    long acked = stats.acked.sum();
    double rate = (acked - lastProgressAcked) / Math.max(1e-9, (now - lastProgressNanos) / 1e9);
    lastProgressNanos = now;
    lastProgressAcked = acked;
    if (gateway != null) {
      GatewayStats g = gateway.stats();
      long delivered = g.delivered();
      double readings =
          (delivered - lastProgressDelivered) / Math.max(1e-9, (now - lastGatewayNanos) / 1e9);
      lastProgressDelivered = delivered;
      lastGatewayNanos = now;
      return String.format(
          Locale.ROOT,
          "t=%5.0fs sim=%s  %8.0f readings/s via %s  acked=%d held=%d refused=%d lost=%d"
              + " connected=%d/%d asleep=%d%s",
          (now - wallStart) / 1e9,
          Instant.ofEpochMilli(clock.now()).toString().substring(0, 16),
          readings,
          settings.gateway().via().label(),
          delivered,
          g.held(),
          g.refusedTotal(),
          g.lostStoreFull.sum(),
          g.connected.get(),
          gateway.relayCount() + gateway.actuatorCount(),
          simulation.counters().sinksAsleep.sum(),
          gateway.actuatorCount() == 0
              ? ""
              : String.format(
                  Locale.ROOT, " commands=%d failed=%d", g.commands.sum(), g.commandsFailed.sum()));
    }
    return String.format(
        Locale.ROOT,
        "t=%5.0fs sim=%s  %8.0f rec/s  sent=%d errors=%d spool=%d%s asleep=%d lost=%d",
        (now - wallStart) / 1e9,
        Instant.ofEpochMilli(clock.now()).toString().substring(0, 16),
        rate,
        acked,
        stats.errors.sum(),
        output.spoolSize(),
        output.spooling() ? " (Kafka unreachable)" : "",
        simulation.counters().sinksAsleep.sum(),
        stats.lostSpoolFull.sum() + stats.rejected.sum());
  }

  /** The report as of now. */
  public RunReport report() {
    double wall = (System.nanoTime() - wallStart) / 1e9;
    Histogram h = stats.latencyMicros();
    Simulation.Counters c = simulation.counters();
    long sent = stats.acked.sum();
    return new RunReport(
        Math.round(wall * 10) / 10.0,
        Instant.ofEpochMilli(settings.simulation().simStart()).toString(),
        Instant.ofEpochMilli(clock.now()).toString(),
        simulation.deviceCount(),
        c.readings.sum(),
        sent,
        Math.round(sent / Math.max(1e-9, wall)),
        stats.bytes.sum(),
        c.duplicates.sum(),
        c.noSinkAwake.sum(),
        stats.spooled.sum(),
        stats.replayed.sum(),
        output.spoolSize(),
        stats.lostSpoolFull.sum(),
        stats.rejected.sum(),
        stats.errors.sum(),
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0,
        c.episodes.sum(),
        c.sinkTransitions.sum(),
        c.meterBatches.sum(),
        c.meterSamplesUploaded.sum(),
        settings.gateway().via().label(),
        gateway == null ? null : gatewayReport(gateway));
  }

  private static RunReport.Gateway gatewayReport(GatewayOutput out) {
    GatewayStats g = out.stats();
    Histogram h = g.latencyMicros();
    return new RunReport.Gateway(
        out.settings().address(),
        g.offered.sum(),
        g.bodyAccepted.sum(),
        g.meterAccepted.sum(),
        g.replays.sum(),
        g.resent.sum(),
        g.retryAnswers.sum(),
        g.refusedByReason(),
        g.lostStoreFull.sum(),
        g.leftAtExit.sum(),
        g.connects.sum(),
        g.connectionsLost.sum(),
        g.connectFailures.sum(),
        g.loginRefusals.sum(),
        g.timeouts.sum(),
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0);
  }

  /** Stops the scheduler, drains the spool (up to 30 s) and closes the producer and files. */
  @Override
  public void close() {
    close(java.time.Duration.ofSeconds(30));
  }

  /**
   * As {@link #close()}, waiting up to {@code drain} for the spool to drain; what is left stays in
   * the spool for the next run ({@link #spoolSize()} says how much).
   */
  public synchronized void close(java.time.Duration drain) {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.close();
    if (gateway != null) {
      gateway.close(drain);
    }
    output.close(drain);
    spool.close();
    if (truthFile != null) {
      truthFile.close();
    }
  }
}
