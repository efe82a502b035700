package io.biometer.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The commands bench's rows and notes. The latency target (p99 at most the baseline's p99 plus 50
 * ms) gets a verdict only at the conditions, {@link CommandsOptions#DEVICES} devices and
 * {@link CommandsOptions#RATE} commands/s; a command lost or delivered twice fails the run at any
 * size. Latency histograms are in microseconds.
 */
final class CommandsRows {

  private static final String SECTION = "commands";

  private final BenchReport.Builder report;

  CommandsRows(BenchReport.Builder report) {
    this.report = report;
  }

  /** The note on how the gateway and the devices ran. */
  void setUp(
      String javaOpts,
      Map<String, String> overrides,
      MqttFleet.Connected connected,
      MqttFleet.Subscribed subscribed,
      int recordBytes) {
    report.note(
        String.format(
            Locale.ROOT,
            "commands: embedded KRaft broker and registry in the bench JVM with the devices"
                + " (Vert.x event-loop MQTT 3.1.1 clients, one connection each), the command"
                + " producer and the consumers; the gateway in a JVM of its own (%s; command"
                + " routing on, its responses on an idempotent acks=all producer of their own"
                + " without linger)%s. The devices are ACTUATOR"
                + " fans with hashed-password credentials (%,d PBKDF2 iterations); %,d connected"
                + " in %.1f s, %,d subscribed to biometer/<device>/commands at QoS 1 in %.1f s, each"
                + " answering every command at once with {\"type\":\"response\",\"id\":...,"
                + "\"status\":\"ok\"} at QoS 1. %s grants %s every device. Commands are"
                + " set_power on/off, %d B Avro, one device after the other, from one thread"
                + " through one producer of ./biometer devices command's class and settings"
                + " (ReadingProducer: idempotent, acks=all, lz4, linger 2 ms), expiring after %d"
                + " min.",
            javaOpts,
            overrides.isEmpty() ? "" : "; gateway config " + overrides,
            IngressDevices.ITERATIONS,
            connected.connections(),
            connected.seconds(),
            subscribed.subscribed(),
            subscribed.seconds(),
            "telemetry.command.access",
            CommandLoad.PRINCIPAL,
            recordBytes,
            CommandsOptions.TTL.toMinutes()));
  }

  /**
   * Command to device against the baseline's produce to consume, the OK response's round trip, and
   * the loss check.
   */
  void latency(
      CommandLedger.Summary commands,
      CommandLedger.Summary baseline,
      CommandsOptions o,
      double commandsLateMs,
      double baselineLateMs) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("devices", o.devices());
    v.put("rate", o.rate());
    v.put("commandToDeviceUs", IngressRows.latencyValues(commands.delivery()));
    v.put("baselineProduceToConsumeUs", IngressRows.latencyValues(baseline.delivery()));
    v.put("measured", commands.measured());
    v.put("measuredDelivered", commands.measuredReceived());
    v.put("baselineMeasured", baseline.measured());
    v.put("baselineMeasuredConsumed", baseline.measuredReceived());
    v.put("latestSendMs", commandsLateMs);
    v.put("baselineLatestSendMs", baselineLateMs);
    double baselineP99 = IngressRows.p99Ms(baseline.delivery());
    report.row(
        String.format(
            Locale.ROOT,
            "command-to-device p50 / p99 / p99.9 / max at %s commands/s, %,d connected MQTT devices"
                + " (QoS 1), from when the command was due to the producer to when the device's"
                + " client got it; %,d of %,d measured commands delivered",
            Fmt.num(o.rate()),
            o.devices(),
            commands.measuredReceived(),
            commands.measured()),
        ms(commands.delivery()),
        String.format(
            Locale.ROOT,
            "the same records at the same rate to a scratch topic of the same partitions,"
                + " produce-to-consume by a plain KafkaConsumer: %s (%,d of %,d consumed)",
            ms(baseline.delivery()),
            baseline.measuredReceived(),
            baseline.measured()),
        "",
        "",
        latencyJudgement(IngressRows.p99Ms(commands.delivery()), baselineP99, o.atTarget()),
        v);
    Map<String, Object> rt = new LinkedHashMap<>();
    rt.put("sentToOkResponseUs", IngressRows.latencyValues(commands.roundTrip()));
    rt.put("measuredAnswered", commands.measuredAnswered());
    rt.put("otherStatuses", commands.otherStatuses());
    report.row(
        SECTION,
        String.format(
            Locale.ROOT,
            "command round trip p50 / p99 / p99.9 / max: from when the command was due to when"
                + " its device's OK response was read from telemetry.command.responses; %,d of %,d"
                + " measured commands answered",
            commands.measuredAnswered(),
            commands.measured()),
        ms(commands.roundTrip()),
        "-",
        "",
        "",
        "",
        Verdict.NONE,
        rt);
    long problems = commands.lost() + commands.twice();
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("sent", commands.sent());
    l.put("delivered", commands.received());
    l.put("lost", commands.lost());
    l.put("twice", commands.twice());
    l.put("strangers", commands.strangers());
    l.put("otherStatuses", commands.otherStatuses());
    l.put("baselineSent", baseline.sent());
    l.put("baselineConsumed", baseline.received());
    report.row(
        "commands sent and not delivered by the end (30 s after the last send), or delivered"
            + " twice (warm-up included)",
        String.format(
            Locale.ROOT,
            "%,d lost, %,d twice: %,d sent, %,d delivered%s",
            commands.lost(),
            commands.twice(),
            commands.sent(),
            commands.received(),
            commands.otherStatuses().isEmpty()
                ? ""
                : "; the gateway answered " + commands.otherStatuses()),
        String.format(
            Locale.ROOT,
            "baseline: %,d of %,d records consumed",
            baseline.received(),
            baseline.sent()),
        "",
        "",
        Target.COMMANDS_LOSS.judge(problems),
        l);
    if (baseline.lost() > 0 || baseline.twice() > 0) {
      failure(
          String.format(
              Locale.ROOT,
              "the baseline is void: %,d of its %,d records were never consumed, %,d twice",
              baseline.lost(),
              baseline.sent(),
              baseline.twice()));
    }
    if (commands.strangers() > 0) {
      failure(
          String.format(
              Locale.ROOT,
              "the devices got %,d commands this run never sent",
              commands.strangers()));
    }
  }

  /**
   * The latency target: {@code p99} at most {@code baselineP99} + 50 ms, judged only {@code
   * atTarget} (the devices and rate); the cell states the sum either way.
   */
  static Target.Judgement latencyJudgement(double p99, double baselineP99, boolean atTarget) {
    Target.Judgement j = Target.COMMANDS_LATENCY.judge(p99, baselineP99);
    return atTarget ? j : new Target.Judgement(j.target(), j.cell(), Verdict.NO_VERDICT);
  }

  /** Where the CPU went while the commands were measured. */
  void cpu(IngressBench.Cpu cpu, CommandsOptions o) {
    report.note(
        String.format(
            Locale.ROOT,
            "commands: %d s measured after %d s at the same rate (not counted), the commands"
                + " first, then the baseline; both times are this JVM's clock, which sends and"
                + " receives. While the commands were measured the gateway used %.2f cores (its"
                + " busiest threads: %s) and the bench JVM (broker, registry, devices, producer,"
                + " consumers) %.2f.",
            o.run().toSeconds(),
            o.warmUp().toSeconds(),
            cpu.gatewayCores(),
            cpu.busiestThreads(4),
            cpu.benchCores()));
  }

  /** Refusals are failures: the bench's devices send nothing a gateway should refuse. */
  void refusals(Map<String, Double> byReason) {
    double n = byReason.values().stream().mapToDouble(Double::doubleValue).sum();
    if (n > 0) {
      failure(
          String.format(
              Locale.ROOT, "the gateway refused %,.0f MQTT messages or logins: %s", n, byReason));
    }
  }

  /** A failure with no row of its own. */
  void failure(String failure) {
    report.failure("commands: " + failure);
  }

  /** {@code p50 / p99 / p99.9 / max} of a histogram of microseconds, in ms, or {@code -}. */
  static String ms(Histogram h) {
    return h.getTotalCount() == 0
        ? "-"
        : String.format(
            Locale.ROOT,
            "%.1f / %.1f / %.1f / %.1f ms",
            h.getValueAtPercentile(50) / 1000.0,
            h.getValueAtPercentile(99) / 1000.0,
            h.getValueAtPercentile(99.9) / 1000.0,
            h.getMaxValue() / 1000.0);
  }
}
