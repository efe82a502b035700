package io.biometer.simulator.gateway;

import io.biometer.simulator.model.ActuatorModel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A simulated actuator, a room's fan or a field's valve, on its own MQTT connection to the gateway
 * (docs/commands.md): it obeys the commands the gateway sends on {@code biometer/<id>/commands},
 * answers each on {@code biometer/<id>/responses}, and reports its state as a reading of its one
 * channel (1 on or open, 0 off or closed) right after every change, at start, and every cadence of
 * its sensor type in between.
 *
 * <p>The readings take the path of every other simulated device's: a {@link RelayDevice} holds them
 * until the gateway acknowledged them and sends them again after a lost connection; that relay
 * device also owns the connection, on which its {@link MqttTransport} subscribes this actuator for
 * its commands. Everything runs on the device's {@link Loop}.
 *
 * <p>A command that comes again (an MQTT re-delivery) is not answered again: the gateway takes one
 * answer per command and refuses another, which over MQTT 3.1.1 closes the connection.
 *
 * <p>Times: a reading's event time is the simulation's, like every other reading's, and the cadence
 * is simulated time, run at the simulation's speed, but at most one periodic reading a wall second
 * ({@link #MIN_PERIOD_WALL_MILLIS}).
 */
final class ActuatorDevice implements Commands.Handler {

  /**
   * The shortest wall time between two periodic readings: a fast simulation (1440 times) would
   * otherwise make a fan report hundreds of times a second, beyond the gateway's rate per device.
   */
  static final long MIN_PERIOD_WALL_MILLIS = 1_000;

  /** How many command ids an actuator remembers to recognise a re-delivery. */
  static final int REMEMBERED_COMMANDS = 256;

  final String id;
  private final ActuatorModel model;
  private final RelayDevice relay;
  private final GatewayStats stats;
  private final long cadenceMillis;
  private final boolean meterTopic;
  private final LinkedHashSet<String> seen = new LinkedHashSet<>();
  private final Runnable firstSubscription;
  private LongSupplier simNow;
  private double speed;
  private long sequence;
  private long generation;
  private boolean subscribedOnce;

  /**
   * An actuator of {@code kind} whose readings {@code relay} sends.
   *
   * @param cadenceMillis simulated time between two readings while nothing changes
   * @param firstSubscription told once, when its first subscription to its commands succeeded
   */
  ActuatorDevice(
      ActuatorModel.Kind kind,
      RelayDevice relay,
      GatewayStats stats,
      long cadenceMillis,
      Runnable firstSubscription) {
    this.id = relay.id;
    this.model = new ActuatorModel(kind);
    this.relay = relay;
    this.stats = stats;
    this.cadenceMillis = cadenceMillis;
    // A field's valve reports beside the field's meters (the gateway writes it to the meter
    // readings), a room's fan beside the patient's body readings.
    this.meterTopic = kind == ActuatorModel.Kind.VALVE;
    this.firstSubscription = firstSubscription;
  }

  RelayDevice relay() {
    return relay;
  }

  ActuatorModel.Kind kind() {
    return model.kind();
  }

  /**
   * Connects, reports the state it starts in, and reports again every cadence (on the loop).
   *
   * @param simNow the simulation's clock, epoch milliseconds
   * @param speed simulated milliseconds per wall millisecond
   * @param sequenceOrigin its first reading's sequence number
   */
  void start(LongSupplier simNow, double speed, long sequenceOrigin) {
    this.simNow = simNow;
    this.speed = speed;
    this.sequence = sequenceOrigin;
    relay.start();
    report();
  }

  @Override
  public void command(Buffer frame, Commands.Responder responder) {
    relay.loop().execute(() -> handle(frame, responder));
  }

  @Override
  public void subscribed() {
    relay
        .loop()
        .execute(
            () -> {
              if (!subscribedOnce) {
                subscribedOnce = true;
                firstSubscription.run();
              }
            });
  }

  private void handle(Buffer frame, Commands.Responder responder) {
    JsonObject command;
    String commandId;
    try {
      command = new JsonObject(frame);
      commandId = command.getString("id");
    } catch (RuntimeException e) {
      stats.warnOnce(
          "command-malformed",
          "{} got a command frame that is not a JSON object with a string id, and cannot answer"
              + " it: {} ({})",
          id,
          abbreviate(frame.toString()),
          e.toString());
      return;
    }
    if (commandId == null || commandId.isBlank()) {
      stats.warnOnce(
          "command-no-id",
          "{} got a command frame without an id, and cannot answer it: {}",
          id,
          abbreviate(frame.toString()));
      return;
    }
    if (!seen.add(commandId)) {
      return; // a re-delivery: answered already
    }
    if (seen.size() > REMEMBERED_COMMANDS) {
      seen.remove(seen.iterator().next());
    }
    stats.commands.increment();
    ActuatorModel.Outcome outcome = outcome(command, commandId);
    if (!outcome.response().ok()) {
      stats.commandsFailed.increment();
    }
    responder
        .respond(responseFrame(outcome.response()).toBuffer())
        .onFailure(
            e -> {
              stats.responsesLost.increment();
              stats.warnOnce(
                  "response-lost",
                  "the answer of {} to command {} was not acknowledged ({}); the gateway takes"
                      + " one answer per command, so it is not sent again",
                  id,
                  commandId,
                  e.toString());
            });
    if (outcome.changed()) {
      report();
    }
  }

  private ActuatorModel.Outcome outcome(JsonObject command, String commandId) {
    String to = command.getValue("deviceId") instanceof String s ? s : null;
    if (to != null && !to.equals(id)) {
      return new ActuatorModel.Outcome(
          new ActuatorModel.Response(
              commandId, false, Map.of(), "addressed to " + to + ", but this is " + id),
          false);
    }
    Object name = command.getValue("name");
    Object arguments = command.getValue("arguments");
    if (arguments != null && !(arguments instanceof JsonObject)) {
      return new ActuatorModel.Outcome(
          new ActuatorModel.Response(
              commandId, false, Map.of(), "arguments must be a JSON object, got " + arguments),
          false);
    }
    return model.handle(
        commandId,
        name == null ? null : String.valueOf(name),
        arguments == null ? Map.of() : ((JsonObject) arguments).getMap());
  }

  /** The response frame of docs/commands.md. */
  static JsonObject responseFrame(ActuatorModel.Response r) {
    JsonObject j = new JsonObject().put("type", "response").put("id", r.commandId());
    if (r.ok()) {
      j.put("status", "ok").put("details", new JsonObject(new LinkedHashMap<>(r.details())));
    } else {
      j.put("status", "failed").put("reason", r.reason());
    }
    return j;
  }

  /** Offers a reading of the state now and sets the next one a cadence later. */
  private void report() {
    relay.offer(
        new Pending(
            id,
            sequence++,
            simNow.getAsLong(),
            Map.of(model.kind().channel(), model.value()),
            100f,
            meterTopic));
    long gen = ++generation;
    long wall = Math.max(MIN_PERIOD_WALL_MILLIS, Math.round(cadenceMillis / speed));
    relay
        .loop()
        .schedule(
            wall,
            () -> {
              if (gen == generation) {
                report();
              }
            });
  }

  /** Stops the periodic readings (on the loop); the relay device's shutdown does the rest. */
  void stop() {
    generation++;
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
