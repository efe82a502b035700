package io.biometer.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.avro.BodyReading;
import io.biometer.avro.ChannelValue;
import io.biometer.avro.CleanReading;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.MeterReading;
import io.biometer.avro.Provenance;
import io.biometer.avro.RelayKind;
import io.biometer.avro.SensorType;
import io.biometer.avro.SinkState;
import io.biometer.avro.SinkStatus;
import io.biometer.devstack.DevStackConfig;
import io.biometer.devstack.FreePorts;
import io.biometer.devstack.LocalStack;
import io.biometer.serde.AvroSerde;
import io.biometer.simulator.SimulatorRun;
import io.biometer.simulator.SimulatorSettings;
import io.biometer.simulator.engine.SimulationConfig;
import io.biometer.simulator.model.SinkBatteryConfig;
import io.biometer.streams.StreamsApp;
import io.biometer.streams.StreamsAppConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The truth check: a seeded scenario on a private embedded stack (broker, registry, streams app,
 * Connect worker, QuestDB), then a table of what should be against what is.
 *
 * <p>The scenario: a simulator of patients (two sinks each, both relaying: every reading twice,
 * batteries that run down so sinks sleep) and soil meters (a day's batch uploaded a day late), with
 * abnormal episodes injected; its Kafka connections go through a {@link TcpGate} that is shut for a
 * while, so it spools and replays; poison records of every DLQ reason a record can earn; a meter
 * reading for a day that has closed (too late). Optionally one {@link Fault} mid-run. Afterwards it
 * waits (bounded) until the pipeline is idle, reads the raw input, the outputs (read committed) and
 * QuestDB, and lets {@link Verdicts} judge.
 */
public final class TruthCheck {

  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final String POISON = "check-poison-";
  private static final String LATE_METER = "check-late-meter";
  private static final String FRESH = "check-fresh";
  private static final Duration BODY_CADENCE = Duration.ofMinutes(1);
  private static final Duration METER_INTERVAL = Duration.ofMinutes(15);

  /** What can go wrong mid-run. */
  public enum Fault {
    NONE("none"),
    BROKER_RESTART("broker-restart"),
    STREAMS_KILL("streams-kill"),
    CONNECT_KILL("connect-kill"),
    QUESTDB_OUTAGE("questdb-outage"),
    TRANSACTION_ABORT("transaction-abort");

    final String id;

    Fault(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    public static Fault of(String id) {
      for (Fault f : values()) {
        if (f.id.equals(id)) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          "unknown fault '"
              + id
              + "'; one of none, broker-restart, streams-kill, connect-kill,"
              + " questdb-outage, transaction-abort");
    }
  }

  /**
   * How to run.
   *
   * @param seed the simulator's seed
   * @param fault what to break mid-run
   * @param days simulated days
   * @param speed simulated milliseconds per wall millisecond
   * @param patients patients, ten body sensors and two sinks each
   * @param meters soil meters
   * @param gate how long Kafka is unreachable from the simulator (wall time)
   * @param timeout the most the check waits for the pipeline to settle afterwards
   * @param out folder for the JSON table and the logs
   * @param secure whether the private stack runs in secure mode (security.enabled)
   */
  public record Options(
      long seed,
      Fault fault,
      double days,
      double speed,
      int patients,
      int meters,
      Duration gate,
      Duration timeout,
      Path out,
      boolean secure) {}

  private final Options o;
  private final PrintStream log;
  private final Evidence ev = new Evidence();
  private final TruthTable table = new TruthTable();

  private TruthCheck(Options o, PrintStream log) {
    this.o = o;
    this.log = log;
  }

  /** Runs the scenario and judges it; the table holds when every row does. */
  public static TruthTable run(Options o, PrintStream log) throws Exception {
    TruthCheck c = new TruthCheck(o, log);
    c.scenario();
    return c.table;
  }

  /**
   * The check's streams application id: in secure mode under the streams principal's prefix, whose
   * ACLs cover its group, internal topics and transactional ids.
   */
  private String appId() {
    return o.secure() ? "biometer-streams-check" : "biometer-check";
  }

  private void say(String line) {
    log.println("[check] " + line);
    log.flush();
  }

  private void scenario() throws Exception {
    long wallStart = System.currentTimeMillis();
    Files.createDirectories(o.out());
    Path dir = Files.createTempDirectory("biometer-check");
    int kafkaPort = FreePorts.pick();
    int controllerPort = FreePorts.pick();
    int devicesPort = FreePorts.pick();
    int gatePort = FreePorts.pick();
    String host = "127.0.0.1";
    Map<String, Object> values = new HashMap<>();
    values.put(DevStackConfig.DATA_DIR_CONFIG, dir.toString());
    values.put(DevStackConfig.KAFKA_PORT_CONFIG, kafkaPort);
    values.put(DevStackConfig.KAFKA_CONTROLLER_PORT_CONFIG, controllerPort);
    values.put(DevStackConfig.REGISTRY_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.QUESTDB_ENABLED_CONFIG, true);
    values.put(DevStackConfig.QUESTDB_HTTP_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.QUESTDB_HTTP_MIN_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.QUESTDB_PG_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.QUESTDB_ILP_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.CONNECT_ENABLED_CONFIG, true);
    values.put(DevStackConfig.CONNECT_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.CONNECT_METRICS_PORT_CONFIG, FreePorts.pick());
    values.put(DevStackConfig.TOPICS_PARTITIONS_CONFIG, 2);
    values.put(DevStackConfig.SIMULATOR_ENABLED_CONFIG, false);
    values.put(DevStackConfig.STREAMS_ENABLED_CONFIG, false);
    values.put(DevStackConfig.SECURITY_ENABLED_CONFIG, o.secure());
    // A second listener for the simulator, advertised at the gate, so that only the simulator's
    // connections go through it.
    Map<String, String> broker = new HashMap<>();
    // In secure mode every listener is SASL_SSL, the simulator's too (through the gate).
    String protocol = o.secure() ? "SASL_SSL" : "PLAINTEXT";
    broker.put(
        "listeners",
        protocol
            + "://"
            + host
            + ":"
            + kafkaPort
            + ",CONTROLLER://"
            + host
            + ":"
            + controllerPort
            + ",DEVICES://"
            + host
            + ":"
            + devicesPort);
    broker.put(
        "advertised.listeners",
        protocol + "://" + host + ":" + kafkaPort + ",DEVICES://" + host + ":" + gatePort);
    broker.put(
        "listener.security.protocol.map",
        protocol + ":" + protocol + ",CONTROLLER:" + protocol + ",DEVICES:" + protocol);
    if (o.secure()) {
      // A SASL listener needs a login of its own; the broker's is the admin's (made at format).
      broker.put(
          "listener.name.devices.scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }
    say(
        "starting a private "
            + (o.secure() ? "secure " : "")
            + "stack under "
            + dir
            + " (fault: "
            + o.fault().id()
            + ")");
    table.fact("seed", o.seed());
    table.fact("fault", o.fault().id());
    table.fact("secure", o.secure());
    table.fact("simulated days", o.days());
    table.fact("speed", o.speed());
    try (LocalStack stack = LocalStack.start(new DevStackConfig(values), broker);
        TcpGate gate = new TcpGate(host, gatePort, new InetSocketAddress(host, devicesPort))) {
      String registry = stack.registryUrl();
      registerCheckDevices(stack);
      Streams streams = new Streams(stack, dir);
      try {
        streams.start();
        runSimulator(stack, gate, streams, host + ":" + gatePort, dir);
        injectPoison(stack);
        // Once the pipeline has caught up: a task picks records in timestamp order across its
        // partitions, so a late sample sent while a backlog waits (after a fault) is processed
        // before the backlog moves stream time past its day's close, and is not too late at all.
        settle(stack, streams);
        injectTooLate(stack);
        settle(stack, streams);
        collect(stack, registry);
        if (o.fault() == Fault.TRANSACTION_ABORT) {
          List<String> fired = streams.faults.fired();
          table.add(
              "fault",
              "transactions aborted inside the live streams instance",
              streams.plan.faults(),
              fired.size(),
              fired.size() == streams.plan.faults(),
              String.join("; ", fired));
        }
      } finally {
        streams.close();
      }
    } finally {
      deleteQuietly(dir);
    }
    new Verdicts(ev, table).judge();
    table.fact("wall seconds", (System.currentTimeMillis() - wallStart) / 1000);
  }

  // ---- devices and poison ----

  private Map<String, Object> serde(LocalStack stack) {
    return stack.serdeSettings("admin");
  }

  private <T extends SpecificRecord> Serializer<T> serializer(Class<T> type, LocalStack stack) {
    AvroSerde<T> s = AvroSerde.specific(type);
    s.configure(serde(stack), false);
    return s.serializer();
  }

  private KafkaProducer<String, byte[]> producer(LocalStack stack) {
    Map<String, Object> p = stack.adminClient();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static Device device(String id, DeviceKind kind, SensorType type, long cadence) {
    return Device.newBuilder()
        .setDeviceId(id)
        .setKind(kind)
        .setSensorType(type)
        .setOwnerId("check")
        .setCadenceMillis(cadence)
        .setRegisteredAt(Instant.now())
        .build();
  }

  private void registerCheckDevices(LocalStack stack) throws Exception {
    Serializer<Device> s = serializer(Device.class, stack);
    List<Device> devices =
        List.of(
            device(POISON + "mismatch", DeviceKind.BODY_SENSOR, SensorType.BLOOD_OXYGEN, 60_000),
            device(POISON + "untyped", DeviceKind.SINK, null, 60_000),
            device(POISON + "channel", DeviceKind.BODY_SENSOR, SensorType.BODY_TEMPERATURE, 60_000),
            device(
                POISON + "impossible", DeviceKind.BODY_SENSOR, SensorType.BODY_TEMPERATURE, 60_000),
            device(POISON + "future", DeviceKind.BODY_SENSOR, SensorType.BODY_TEMPERATURE, 60_000),
            device(
                LATE_METER,
                DeviceKind.SOIL_METER,
                SensorType.SOIL_METER,
                METER_INTERVAL.toMillis()),
            device(
                FRESH,
                DeviceKind.BODY_SENSOR,
                SensorType.BODY_TEMPERATURE,
                BODY_CADENCE.toMillis()));
    try (KafkaProducer<String, byte[]> p = producer(stack)) {
      for (Device d : devices) {
        p.send(
                new ProducerRecord<>(
                    Topics.DEVICES, d.getDeviceId(), s.serialize(Topics.DEVICES, d)))
            .get();
      }
    }
    ev.cadence.put(LATE_METER, METER_INTERVAL.toMillis());
    ev.cadence.put(FRESH, BODY_CADENCE.toMillis());
  }

  private static BodyReading body(
      String device, SensorType type, long seq, long t, String ch, double v) {
    return BodyReading.newBuilder()
        .setDeviceId(device)
        .setPatientId("check")
        .setSensorType(type)
        .setSequence(seq)
        .setEventTime(Instant.ofEpochMilli(t))
        .setValues(List.of(new ChannelValue(ch, v)))
        .setBatteryPercent(80f)
        .setProvenance(new Provenance(RelayKind.SINK, "check.sink", Instant.ofEpochMilli(t), false))
        .build();
  }

  /** A poison record of every reason input can earn; each one's expected DLQ row. */
  private void injectPoison(LocalStack stack) throws Exception {
    Serializer<BodyReading> s = serializer(BodyReading.class, stack);
    long now = System.currentTimeMillis();
    long past = simStart() + DAY + Duration.ofHours(6).toMillis();
    // Undecodable and empty records, and one from the future, count on the day they are rejected.
    long today = Math.floorDiv(now, DAY);
    long pastDay = Math.floorDiv(past, DAY);
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    records.add(
        new ProducerRecord<>(
            Topics.BODY_READINGS,
            POISON + "undecodable",
            "not avro".getBytes(StandardCharsets.UTF_8)));
    ev.poison.add(new Evidence.Poison("undecodable", POISON + "undecodable", today));
    records.add(new ProducerRecord<>(Topics.BODY_READINGS, POISON + "empty", null));
    ev.poison.add(new Evidence.Poison("empty-value", POISON + "empty", today));
    BodyReading unregistered =
        body(
            POISON + "unregistered",
            SensorType.BODY_TEMPERATURE,
            0,
            past,
            "body_temperature",
            36.6);
    BodyReading mismatch =
        body(POISON + "mismatch", SensorType.BODY_TEMPERATURE, 0, past, "body_temperature", 36.6);
    BodyReading untyped = body(POISON + "untyped", SensorType.UNKNOWN, 0, past, "x", 1);
    BodyReading channel =
        body(POISON + "channel", SensorType.BODY_TEMPERATURE, 0, past, "no_such_channel", 36.6);
    BodyReading impossible =
        body(POISON + "impossible", SensorType.BODY_TEMPERATURE, 0, past, "body_temperature", 99);
    BodyReading future =
        body(
            POISON + "future", SensorType.BODY_TEMPERATURE, 0, now + DAY, "body_temperature", 36.6);
    Map<String, BodyReading> byReason = new LinkedHashMap<>();
    byReason.put("unknown-device", unregistered);
    byReason.put("sensor-type-mismatch", mismatch);
    byReason.put("unknown-sensor-type", untyped);
    byReason.put("unknown-channel", channel);
    byReason.put("impossible-value", impossible);
    byReason.put("future-event-time", future);
    byReason.forEach(
        (reason, r) -> {
          records.add(
              new ProducerRecord<>(
                  Topics.BODY_READINGS, r.getDeviceId(), s.serialize(Topics.BODY_READINGS, r)));
          long t = r.getEventTime().toEpochMilli();
          long day = Math.floorDiv(t > now ? now : t, DAY);
          ev.poison.add(new Evidence.Poison(reason, r.getDeviceId(), day));
        });
    // And three readings of now, which are not late (every other reading replays the past).
    for (int i = 3; i >= 1; i--) {
      long t = now - i * BODY_CADENCE.toMillis();
      BodyReading fresh =
          body(FRESH, SensorType.BODY_TEMPERATURE, 3 - i, t, "body_temperature", 36.6);
      records.add(
          new ProducerRecord<>(
              Topics.BODY_READINGS, FRESH, s.serialize(Topics.BODY_READINGS, fresh)));
    }
    try (KafkaProducer<String, byte[]> p = producer(stack)) {
      for (ProducerRecord<String, byte[]> r : records) {
        p.send(r).get();
      }
    }
    say(
        "injected "
            + (records.size() - 3)
            + " poison records, one per DLQ reason input can earn, and 3 readings of now");
    if (pastDay < 0) {
      throw new IllegalStateException("bad scenario start");
    }
  }

  /** A meter sample of the scenario's first day, sent after that day closed. */
  private void injectTooLate(LocalStack stack) throws Exception {
    Serializer<MeterReading> s = serializer(MeterReading.class, stack);
    long t = simStart() + Duration.ofHours(3).toMillis();
    MeterReading r =
        MeterReading.newBuilder()
            .setDeviceId(LATE_METER)
            .setSiteId("check")
            .setSensorType(SensorType.SOIL_METER)
            .setSequence(0)
            .setEventTime(Instant.ofEpochMilli(t))
            .setValues(
                List.of(
                    new ChannelValue("soil_temperature", 15.0),
                    new ChannelValue("soil_humidity", 30.0)))
            .setBatteryPercent(80f)
            .setProvenance(
                new Provenance(
                    RelayKind.UPLOAD_BATCH, "check-late-batch", Instant.ofEpochMilli(t), false))
            .build();
    try (KafkaProducer<String, byte[]> p = producer(stack)) {
      p.send(
              new ProducerRecord<>(
                  Topics.METER_READINGS, LATE_METER, s.serialize(Topics.METER_READINGS, r)))
          .get();
    }
    ev.tooLateIds.add(LATE_METER + "|0");
    ev.poison.add(new Evidence.Poison("too-late", LATE_METER, Math.floorDiv(t, DAY)));
    say(
        "sent a meter sample of "
            + LocalDate.ofInstant(Instant.ofEpochMilli(t), ZoneOffset.UTC)
            + ", a day that has closed: too late");
  }

  // ---- the simulator, the gate and the fault ----

  /** The scenario starts at midnight UTC, far enough back that it never reaches the present. */
  private long simStart() {
    long days = (long) Math.ceil(o.days()) + 2;
    return (Math.floorDiv(System.currentTimeMillis(), DAY) - days) * DAY;
  }

  private void runSimulator(
      LocalStack stack, TcpGate gate, Streams streams, String bootstrap, Path dir)
      throws Exception {
    long start = simStart();
    SinkBatteryConfig battery = new SinkBatteryConfig(0.0002, 9.0, 50.0, 10.0, 60.0, 2.0);
    SimulationConfig sim =
        SimulationConfig.builder(o.seed(), start)
            .patients(o.patients())
            .cadence(BODY_CADENCE)
            .episodesPerHour(0.1)
            .meters(o.meters())
            .meterInterval(METER_INTERVAL)
            .sinkBattery(battery)
            .build();
    Map<String, Object> producer = stack.appClient("simulator");
    producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4000);
    producer.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1500);
    producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
    producer.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    Path truth = dir.resolve("ground-truth.jsonl");
    SimulatorSettings settings =
        new SimulatorSettings(
            bootstrap,
            stack.registryUrl(),
            sim,
            o.speed(),
            1,
            dir.resolve("spool"),
            256L << 20,
            truth,
            true,
            producer);
    long wall = (long) (o.days() * DAY / o.speed());
    say(
        "simulating "
            + o.days()
            + " days from "
            + Instant.ofEpochMilli(start)
            + " in "
            + Duration.ofMillis(wall).toSeconds()
            + " s: "
            + o.patients()
            + " patients (2 sinks each, both relaying), "
            + o.meters()
            + " meters, seed "
            + o.seed());
    SimulatorRun run = SimulatorRun.start(settings);
    try {
      long t0 = System.currentTimeMillis();
      long gateAt = t0 + wall / 4;
      long faultAt = t0 + wall / 2;
      boolean gated = false;
      boolean faulted = o.fault() == Fault.NONE || o.fault() == Fault.TRANSACTION_ABORT;
      long lastProgress = 0;
      while (System.currentTimeMillis() - t0 < wall) {
        long now = System.currentTimeMillis();
        if (!gated && now >= gateAt) {
          gated = true;
          say("Kafka unreachable from the simulator for " + o.gate().toSeconds() + " s");
          gate.shut();
          sleep(o.gate().toMillis());
          gate.open();
          say("Kafka reachable again; spool holds " + run.spoolSize() + " records");
        }
        if (!faulted && now >= faultAt) {
          faulted = true;
          fault(stack, streams);
        }
        if (run.failure() != null) {
          throw new IllegalStateException("the simulator failed: " + run.failure(), run.failure());
        }
        if (now - lastProgress > 10_000) {
          lastProgress = now;
          say(run.progressLine());
        }
        sleep(200);
      }
      // Stop producing, then let the spool drain.
      run.close(Duration.ofMinutes(2));
      if (run.spoolSize() > 0) {
        throw new IllegalStateException(
            "the simulator's spool still holds " + run.spoolSize() + " records after 2 minutes");
      }
    } finally {
      run.close();
    }
    readGroundTruth(truth);
    say("simulator stopped: " + run.progressLine());
  }

  private void fault(LocalStack stack, Streams streams) throws Exception {
    say("fault: " + o.fault().id());
    switch (o.fault()) {
      case BROKER_RESTART -> stack.restartKafka();
      case STREAMS_KILL -> {
        streams.child.kill();
        sleep(3000);
        streams.child.start();
      }
      case CONNECT_KILL -> {
        stack.connect().kill();
        sleep(3000);
        stack.connect().launch();
      }
      case QUESTDB_OUTAGE -> {
        stack.questdb().stop();
        sleep(30_000);
        stack.questdb().restart();
      }
      default -> throw new IllegalStateException("no mid-run action for " + o.fault());
    }
    say("fault over: " + o.fault().id());
  }

  /** The streams app: in this JVM (with faulty clients for transaction-abort), or a child JVM. */
  private final class Streams implements AutoCloseable {
    final FaultyClientSupplier.Plan plan =
        new FaultyClientSupplier.Plan()
            .abortCommit(
                300, () -> new InvalidProducerEpochException("injected by the truth check"))
            .failSend(150_000, () -> new OutOfOrderSequenceException("injected by the truth check"))
            .failPunctuationSend(
                2_000, () -> new ProducerFencedException("injected by the truth check"));
    final FaultyClientSupplier faults = new FaultyClientSupplier(plan);
    final Map<String, Object> config = new HashMap<>();
    StreamsApp app;
    StreamsChild child;

    Streams(LocalStack stack, Path dir) throws IOException {
      config.put(StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
      config.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.registryUrl());
      config.put(StreamsAppConfig.APPLICATION_ID_CONFIG, appId());
      stack
          .appClient("streams")
          .forEach((k, v) -> config.put(StreamsAppConfig.KAFKA_PREFIX + k, v));
      config.put(StreamsAppConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
      config.put(StreamsAppConfig.METRICS_PORT_CONFIG, 0);
      config.put(StreamsAppConfig.METRICS_HOST_CONFIG, "127.0.0.1");
      config.put(StreamsAppConfig.AGGREGATION_UPDATE_INTERVAL_MS_CONFIG, 1000L);
      config.put(StreamsAppConfig.COMPLETENESS_UPDATE_INTERVAL_MS_CONFIG, 1000L);
      config.put(StreamsAppConfig.UNKNOWN_DEVICE_WAIT_MS_CONFIG, 2000L);
      // What the verdicts assume: UTC days, the default grace and lateness.
      config.put(StreamsAppConfig.AGGREGATION_ZONE_CONFIG, "UTC");
      config.put(StreamsAppConfig.AGGREGATION_GRACE_MS_CONFIG, ev.grace);
      config.put(StreamsAppConfig.LATE_AFTER_MS_CONFIG, ev.lateAfter);
      if (o.fault() == Fault.STREAMS_KILL) {
        // Under the output folder: its log outlives the private stack.
        child = new StreamsChild(o.out().resolve("streams-child"), config);
      }
    }

    void start() throws IOException {
      if (child != null) {
        child.start();
      } else if (o.fault() == Fault.TRANSACTION_ABORT) {
        app = StreamsApp.start(new StreamsAppConfig(config), faults);
      } else {
        app = StreamsApp.start(new StreamsAppConfig(config));
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (app != null) {
        app.close();
      }
      if (child != null) {
        child.close();
      }
    }
  }

  // ---- waiting until the pipeline is idle ----

  private void settle(LocalStack stack, Streams streams) throws Exception {
    say("waiting (at most " + o.timeout().toSeconds() + " s) until the pipeline is idle");
    long deadline = System.currentTimeMillis() + o.timeout().toMillis();
    String last = "";
    int stable = 0;
    try (Admin admin = Admin.create(stack.adminClient())) {
      while (System.currentTimeMillis() < deadline) {
        long streamsLag =
            lag(admin, appId(), List.of(Topics.BODY_READINGS, Topics.METER_READINGS), 0)
                + lag(admin, appId(), List.of(Topics.DLQ), 1);
        long connectLag =
            lag(
                admin,
                "connect-" + LocalStack.CONNECTOR,
                List.of(
                    Topics.READINGS_CLEAN,
                    Topics.ALERTS,
                    Topics.AGGREGATES_DAILY,
                    Topics.COMPLETENESS_DAILY),
                1);
        String counts = questdbCounts(stack);
        String now = streamsLag + "/" + connectLag + "/" + counts;
        if (streamsLag == 0 && connectLag == 0 && now.equals(last)) {
          stable++;
          if (stable >= 3) {
            say("idle: " + counts);
            return;
          }
        } else {
          stable = 0;
        }
        last = now;
        if (streams.child != null && !streams.child.alive()) {
          throw new IllegalStateException(
              "the streams child process exited; see " + streams.child.log());
        }
        if (streams.app != null && !streams.app.state().isRunningOrRebalancing()) {
          throw new IllegalStateException(
              "the streams app stopped ("
                  + streams.app.state()
                  + "); see "
                  + o.out().resolve("check.log"));
        }
        sleep(2000);
      }
    }
    throw new IllegalStateException(
        "the pipeline did not settle within "
            + o.timeout().toSeconds()
            + " s; last lag/counts "
            + last);
  }

  /**
   * Records the group has not committed yet; {@code slack} per partition for the commit marker a
   * transactional topic ends with.
   */
  private static long lag(Admin admin, String group, List<String> topics, long slack)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin
        .describeTopics(topics)
        .allTopicNames()
        .get()
        .forEach(
            (t, d) ->
                d.partitions()
                    .forEach(
                        p ->
                            latest.put(new TopicPartition(t, p.partition()), OffsetSpec.latest())));
    long lag = 0;
    var ends = admin.listOffsets(latest).all().get();
    for (var e : ends.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      long end = e.getValue().offset();
      long at = c == null ? 0 : c.offset();
      if (end - at > slack) {
        lag += end - at;
      }
    }
    return lag;
  }

  private String questdbCounts(LocalStack stack) {
    StringBuilder b = new StringBuilder();
    try (Connection c = questdb(stack)) {
      for (String t : List.of("readings", "alerts", "daily_aggregates", "data_completeness")) {
        b.append(t)
            .append('=')
            .append(
                io.biometer.devstack.EmbeddedQuestDb.countIfExists(c, "SELECT count() FROM " + t))
            .append(' ');
      }
    } catch (SQLException e) {
      b.append("QuestDB unreachable: ").append(e.getMessage());
    }
    return b.toString().trim();
  }

  // ---- collecting the evidence ----

  private void readGroundTruth(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = json.readTree(line);
      switch (n.path("event").asText()) {
        case "episode" ->
            ev.episodes.add(
                new Evidence.Episode(
                    n.path("device").asText(),
                    n.path("kind").asText(),
                    Instant.parse(n.path("start").asText()).toEpochMilli(),
                    Instant.parse(n.path("end").asText()).toEpochMilli(),
                    n.path("rampMillis").asLong()));
        case "no_sink_awake" ->
            ev.neverRelayed.add(n.path("device").asText() + "|" + n.path("sequence").asLong());
        case "meter_batch" -> {
          ev.meterBatches++;
          ev.meterSamples += n.path("samples").asLong();
        }
        case "spooled" -> {
          ev.spooled++;
          ev.spooledIds.merge(
              n.path("topic").asText()
                  + "|"
                  + n.path("key").asText()
                  + "|"
                  + n.path("sequence").asLong(),
              1L,
              Long::sum);
        }
        case "lost" -> ev.lost++;
        default -> {}
      }
    }
  }

  private void collect(LocalStack stack, String registry) throws Exception {
    say("reading the raw input, the outputs and QuestDB");
    Map<String, Object> cfg = serde(stack);
    AvroSerde<BodyReading> body = AvroSerde.specific(BodyReading.class);
    body.configure(cfg, false);
    AvroSerde<MeterReading> meter = AvroSerde.specific(MeterReading.class);
    meter.configure(cfg, false);
    AvroSerde<SinkStatus> status = AvroSerde.specific(SinkStatus.class);
    status.configure(cfg, false);
    AvroSerde<CleanReading> clean = AvroSerde.specific(CleanReading.class);
    clean.configure(cfg, false);
    AvroSerde<Alert> alert = AvroSerde.specific(Alert.class);
    alert.configure(cfg, false);
    for (String topic : List.of(Topics.BODY_READINGS, Topics.METER_READINGS)) {
      for (ConsumerRecord<byte[], byte[]> r :
          readAll(stack, topic, IsolationLevel.READ_UNCOMMITTED)) {
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        if (key == null || key.startsWith(POISON) || r.value() == null) {
          continue;
        }
        Map<String, Double> vs = new LinkedHashMap<>();
        if (topic.equals(Topics.BODY_READINGS)) {
          BodyReading b = body.deserializer().deserialize(topic, r.value());
          b.getValues().forEach(v -> vs.put(v.getChannel(), v.getValue()));
          ev.raw.add(
              raw(
                  r,
                  b.getDeviceId(),
                  b.getSensorType(),
                  b.getSequence(),
                  b.getEventTime(),
                  vs,
                  b.getProvenance()));
          ev.cadence.putIfAbsent(b.getDeviceId(), BODY_CADENCE.toMillis());
        } else {
          MeterReading m = meter.deserializer().deserialize(topic, r.value());
          m.getValues().forEach(v -> vs.put(v.getChannel(), v.getValue()));
          ev.raw.add(
              raw(
                  r,
                  m.getDeviceId(),
                  m.getSensorType(),
                  m.getSequence(),
                  m.getEventTime(),
                  vs,
                  m.getProvenance()));
          ev.cadence.put(m.getDeviceId(), METER_INTERVAL.toMillis());
        }
      }
    }
    for (ConsumerRecord<byte[], byte[]> r :
        readAll(stack, Topics.SINK_STATUS, IsolationLevel.READ_UNCOMMITTED)) {
      SinkStatus s = status.deserializer().deserialize(Topics.SINK_STATUS, r.value());
      if (s != null && s.getState() == SinkState.SLEEPING) {
        ev.sinkSleeps++;
      }
    }
    for (ConsumerRecord<byte[], byte[]> r :
        readAll(stack, Topics.READINGS_CLEAN, IsolationLevel.READ_COMMITTED)) {
      CleanReading c = clean.deserializer().deserialize(Topics.READINGS_CLEAN, r.value());
      ev.clean.add(c.getDeviceId() + "|" + c.getSequence());
    }
    for (ConsumerRecord<byte[], byte[]> r :
        readAll(stack, Topics.ALERTS, IsolationLevel.READ_COMMITTED)) {
      Alert a = alert.deserializer().deserialize(Topics.ALERTS, r.value());
      ev.alerts.add(
          new Evidence.Alert(
              a.getDeviceId(),
              a.getRule(),
              a.getKind().name(),
              a.getState().name(),
              a.getEventTime().toEpochMilli()));
    }
    for (ConsumerRecord<byte[], byte[]> r :
        readAll(stack, Topics.DLQ, IsolationLevel.READ_COMMITTED)) {
      Header h = r.headers().lastHeader("biometer.dlq.reason");
      String reason =
          h == null ? "(no reason header)" : new String(h.value(), StandardCharsets.UTF_8);
      ev.dlqByReason.merge(reason, 1L, Long::sum);
    }
    try (Connection c = questdb(stack);
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery("SELECT device_id, sequence, channel, value, relay_id FROM readings")) {
        while (rs.next()) {
          ev.rows.add(
              new Evidence.Row(
                  rs.getString(1),
                  rs.getLong(2),
                  rs.getString(3),
                  rs.getDouble(4),
                  rs.getString(5)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT device_id, channel, ts, count, min, max, mean, is_final FROM daily_aggregates")) {
        while (rs.next()) {
          ev.aggregates.add(
              new Evidence.Aggregate(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getTimestamp(3).toInstant().toEpochMilli(),
                  rs.getLong(4),
                  rs.getDouble(5),
                  rs.getDouble(6),
                  rs.getDouble(7),
                  rs.getBoolean(8)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT device_id, ts, expected, received, gaps, duplicates, late, too_late, dlq,"
                  + " first_sequence, last_sequence, is_final FROM data_completeness")) {
        while (rs.next()) {
          ev.ledger.add(
              new Evidence.Ledger(
                  rs.getString(1),
                  rs.getTimestamp(2).toInstant().toEpochMilli(),
                  rs.getLong(3),
                  rs.getLong(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getLong(7),
                  rs.getLong(8),
                  rs.getLong(9),
                  nullableLong(rs, 10),
                  nullableLong(rs, 11),
                  rs.getBoolean(12)));
        }
      }
    }
    table.fact("raw reading records", ev.raw.size());
    table.fact(
        "ground truth",
        ev.episodes.size()
            + " episodes, "
            + ev.neverRelayed.size()
            + " readings no sink relayed, "
            + ev.spooled
            + " spooled, "
            + ev.meterBatches
            + " meter batches");
  }

  private static Evidence.Raw raw(
      ConsumerRecord<byte[], byte[]> r,
      String device,
      SensorType type,
      long seq,
      Instant t,
      Map<String, Double> values,
      Provenance p) {
    return new Evidence.Raw(
        r.topic(),
        r.partition(),
        r.offset(),
        device,
        type.name(),
        seq,
        t.toEpochMilli(),
        values,
        p.getRelayId(),
        p.getSpooled(),
        r.timestamp());
  }

  /** A JDBC connection to QuestDB whose every call is bounded. */
  private static Connection questdb(LocalStack stack) throws SQLException {
    java.util.Properties p = stack.questdb().jdbcProperties();
    p.setProperty("connectTimeout", "10");
    p.setProperty("socketTimeout", "60");
    p.setProperty("loginTimeout", "10");
    return DriverManager.getConnection(stack.questdb().jdbcUrl(), p);
  }

  private static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** Every record of a topic, partition by partition in offset order. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      LocalStack stack, String topic, IsolationLevel isolation) {
    Map<String, Object> c = stack.adminClient();
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      for (TopicPartition tp : parts) {
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        long deadline = System.currentTimeMillis() + 60_000;
        while (consumer.position(tp) < end) {
          if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("could not read " + tp + " to its end within 60 s");
          }
          consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
      }
    }
    return out;
  }

  // ---- helpers ----

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder left behind is harmless
    }
  }
}
