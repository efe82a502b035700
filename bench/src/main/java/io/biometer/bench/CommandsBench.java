package io.biometer.bench;

import io.biometer.Topics;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.CommandStatus;
import io.biometer.avro.DeviceCommand;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.admin.CommandAdmin;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * {@code ./biometer bench commands}: commands back to devices (docs/commands.md) under load, on a
 * private broker and registry, the gateway in a JVM of its own ({@link IngressGatewayMain}) as for
 * {@code bench ingress}, the devices, the command producer and the consumers in this JVM, so that a
 * command's send and its receipt are read from one clock. In order:
 *
 * <ol>
 *   <li>registers the devices (10,000 ACTUATOR fans by default), grants {@link
 *       CommandLoad#PRINCIPAL} every device, and starts the gateway;
 *   <li>connects every device over MQTT and subscribes it to its commands at QoS 1; each answers
 *       every command "ok" at once;
 *   <li>sends commands to {@code telemetry.commands} at 1,000/s, the devices in turn, for a warm-up
 *       and the measured time: command-to-device latency, and the round trip to the OK response on
 *       {@code telemetry.command.responses};
 *   <li>the baseline: the same load to a scratch topic of the same partitions, read by a plain
 *       consumer: produce-to-consume latency;
 *   <li>every command sent must have reached its device once, and the gateway must have refused
 *       nothing.
 * </ol>
 *
 * Not part of {@code ./biometer bench}: it needs 10,000 sockets a side and a JVM of its own.
 */
final class CommandsBench {

  /** The baseline's scratch topic. */
  static final String BASELINE_TOPIC = "bench.commands-direct";

  private CommandsBench() {}

  /** {@code ./biometer bench commands}: a stack of its own, the table, the files in {@code out}. */
  static int run(String[] args, Path outDir, PrintStream out, PrintStream err) {
    return BenchRun.cli(
        "commands",
        args,
        outDir,
        out,
        err,
        CommandsOptions::parse,
        (o, report) -> {
          String problem =
              IngressBench.limitsProblem(
                  o.devices(),
                  IngressBench.maxOpenFiles(),
                  IngressBench.ephemeralPorts(),
                  "--devices");
          if (problem != null) {
            err.println("biometer bench commands: " + problem);
            report.failure("commands: " + problem);
            return;
          }
          measure(o, new CommandsRows(report), err);
        });
  }

  private static void measure(CommandsOptions o, CommandsRows rows, PrintStream err)
      throws Exception {
    try (BenchStack bench = new BenchStack("commands")) {
      say(
          err,
          "registering %,d fans (ACTUATOR, FAN), PBKDF2 %,d iterations; granting %s every device"
              + " ...",
          o.devices(),
          IngressDevices.ITERATIONS,
          CommandLoad.PRINCIPAL);
      List<IngressDevices.Device> devices =
          IngressDevices.register(
              bench.stack, "bench-fan-", o.devices(), DeviceKind.ACTUATOR, SensorType.FAN);
      try (CommandAdmin admin =
          new CommandAdmin(bench.stack.bootstrapServers(), bench.stack.registryUrl(), Map.of())) {
        admin.grant(CommandLoad.PRINCIPAL, List.of("*"), List.of("*"), "the commands bench");
      }
      bench.createTopic(BASELINE_TOPIC);
      Map<String, String> config =
          IngressBench.gatewayConfig(
              o.gateway(), bench.stack.bootstrapServers(), bench.stack.registryUrl());
      say(err, "starting the gateway JVM ...");
      try (IngressGatewayProcess gateway =
              new IngressGatewayProcess(config, bench.dir.resolve("gateway.log"));
          CommandLoad load = new CommandLoad(bench, devices.stream().map(d -> d.id).toList())) {
        load.warmUp(List.of(Topics.COMMANDS, BASELINE_TOPIC));
        Vertx vertx = Vertx.vertx();
        try {
          List<Context> loops = IngressBench.eventLoops(vertx);
          new Run(o, bench, gateway, load, vertx, loops, devices, rows, err).all();
        } finally {
          vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** One run's steps on one stack, gateway and Vert.x instance. */
  private record Run(
      CommandsOptions o,
      BenchStack bench,
      IngressGatewayProcess gateway,
      CommandLoad load,
      Vertx vertx,
      List<Context> loops,
      List<IngressDevices.Device> devices,
      CommandsRows rows,
      PrintStream err) {

    void all() throws Exception {
      CommandLedger commands = new CommandLedger(true);
      CommandLedger baseline = new CommandLedger(false);
      IngressBench.Cpu cpu = new IngressBench.Cpu();
      CommandLoad.Sent sentCommands;
      CommandLoad.Sent sentBaseline;
      MqttFleet fleet = new MqttFleet(vertx, loops, gateway.mqttPort);
      try {
        say(
            err,
            "connecting %,d MQTT devices, %d at a time ...",
            devices.size(),
            MqttFleet.CONNECTING_AT_ONCE);
        MqttFleet.Connected c = fleet.connect(devices, Duration.ofMinutes(10));
        say(err, "%,d connected in %.1f s, %d failed", c.connections(), c.seconds(), c.failed());
        if (c.failed() > 0 || c.connections() < devices.size()) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "%,d of %,d MQTT devices could not connect; first: %s (the gateway's log: %s)",
                  devices.size() - c.connections(),
                  devices.size(),
                  c.firstError(),
                  gateway.log()));
        }
        say(err, "subscribing them to biometer/<device>/commands at QoS 1 ...");
        MqttFleet.Subscribed s =
            fleet.subscribeToCommands(
                (device, id, at) -> commands.received(id, at), Duration.ofMinutes(5));
        say(err, "%,d subscribed in %.1f s, %d failed", s.subscribed(), s.seconds(), s.failed());
        if (s.failed() > 0) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "%,d of %,d subscriptions to commands were refused; first: %s (the gateway's"
                      + " log: %s)",
                  s.failed(),
                  devices.size(),
                  s.firstError(),
                  gateway.log()));
        }
        rows.setUp(gateway.javaOpts, o.gateway(), c, s, load.recordBytes(BASELINE_TOPIC));
        try (TopicFollower<CommandResponse> responses =
            new TopicFollower<>(
                bench,
                Topics.COMMAND_RESPONSES,
                CommandResponse.class,
                (r, at) -> answered(commands, r, at))) {
          say(
              err,
              "commands at %,d/s to telemetry.commands: %d s warm-up ...",
              o.rate(),
              o.warmUp().toSeconds());
          IngressBench.Cpu.Mark[] mark = new IngressBench.Cpu.Mark[1];
          sentCommands =
              load.run(
                  Topics.COMMANDS,
                  o.rate(),
                  o.warmUp(),
                  o.run(),
                  commands,
                  () -> {
                    say(err, "measuring for %d s ...", o.run().toSeconds());
                    mark[0] = cpu.mark(gateway);
                  });
          cpu.add(mark[0], gateway);
          drain(
              "the commands",
              () -> commands.unreceived() == 0 && commands.unanswered() == 0,
              () ->
                  String.format(
                      Locale.ROOT,
                      "%,d not at their devices, %,d not answered",
                      commands.unreceived(),
                      commands.unanswered()));
          responses.check();
        }
        say(
            err,
            "baseline: the same records at %,d/s to %s, a plain consumer: %d s warm-up, %d s"
                + " measured ...",
            o.rate(),
            BASELINE_TOPIC,
            o.warmUp().toSeconds(),
            o.run().toSeconds());
        try (TopicFollower<DeviceCommand> consumer =
            new TopicFollower<>(
                bench,
                BASELINE_TOPIC,
                DeviceCommand.class,
                (command, at) -> baseline.received(command.getCommandId(), at))) {
          sentBaseline =
              load.run(BASELINE_TOPIC, o.rate(), o.warmUp(), o.run(), baseline, () -> {});
          drain(
              "the baseline",
              () -> baseline.unreceived() == 0,
              () -> String.format(Locale.ROOT, "%,d not consumed", baseline.unreceived()));
          consumer.check();
        }
        if (fleet.unexpectedCloses() > 0) {
          rows.failure(
              String.format(
                  Locale.ROOT,
                  "the gateway closed %,d MQTT connections during the run; its log: %s",
                  fleet.unexpectedCloses(),
                  gateway.log()));
        }
        if (fleet.answersFailed() > 0 || !fleet.errors().isEmpty()) {
          say(err, "MQTT client errors (first %d): %s", fleet.errors().size(), fleet.errors());
        }
      } finally {
        say(err, "disconnecting the MQTT devices ...");
        fleet.close();
      }
      if (load.failed() > 0) {
        rows.failure(
            String.format(
                Locale.ROOT,
                "Kafka refused %,d commands or baseline records; first: %s",
                load.failed(),
                load.firstError()));
      }
      rows.refusals(
          IngressGatewayProcess.samples(
              gateway.scrape(), "biometer_ingress_refused_total", "mqtt", "reason"));
      CommandLedger.Summary cs = commands.summary();
      CommandLedger.Summary bs = baseline.summary();
      say(
          err,
          "command-to-device %s; baseline produce-to-consume %s",
          CommandsRows.ms(cs.delivery()),
          CommandsRows.ms(bs.delivery()));
      rows.latency(cs, bs, o, sentCommands.lateMs(), sentBaseline.lateMs());
      rows.cpu(cpu, o);
    }

    /** Waits up to {@link CommandsOptions#drain()} for {@code done}; says what is missing. */
    private void drain(
        String what, BooleanSupplier done, java.util.function.Supplier<String> left) {
      long end = System.nanoTime() + o.drain().toNanos();
      while (!done.getAsBoolean() && System.nanoTime() < end) {
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
      }
      if (!done.getAsBoolean()) {
        say(err, "%s: %s %d s after the last send", what, left.get(), o.drain().toSeconds());
      }
    }

    private static void answered(CommandLedger ledger, CommandResponse r, long at) {
      String id = r.getCommandId();
      if (r.getStatus() == CommandStatus.OK) {
        ledger.answered(id, at);
      } else if (r.getStatus() != CommandStatus.DELIVERED) {
        ledger.status(id, r.getStatus().name());
      }
    }
  }

  private static void say(PrintStream err, String format, Object... args) {
    err.println("biometer bench commands: " + String.format(Locale.ROOT, format, args));
  }
}
