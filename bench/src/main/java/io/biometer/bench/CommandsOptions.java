package io.biometer.bench;

import io.biometer.ingress.IngressConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * What {@code ./biometer bench commands} asked for.
 *
 * @param devices MQTT devices connected and subscribed to their commands (the target is judged at
 *     {@link #DEVICES})
 * @param rate commands sent per second, spread over the devices in turn (the target is judged at
 *     {@link #RATE})
 * @param run how long the measured part of each run lasts, after {@link #warmUp()}
 * @param warmUp the start of each run at the same rate, not counted
 * @param drain how long after the last send a run waits for the last commands and answers
 * @param gateway gateway config over the bench's ({@code key=value}, {@link IngressConfig} keys)
 */
record CommandsOptions(
    int devices,
    int rate,
    Duration run,
    Duration warmUp,
    Duration drain,
    Map<String, String> gateway) {

  /** The connected devices of the target: with fewer, the target gets no verdict. */
  static final int DEVICES = 10_000;

  /** The commands/s of the target. */
  static final int RATE = 1_000;

  /** The most commands/s one pacing thread sends on time. */
  static final int MAX_RATE = 100_000;

  /** How long a command lives: far beyond the drain, so a late one is late, not expired. */
  static final Duration TTL = Duration.ofMinutes(5);

  /**
   * Parses {@code --quick}, {@code --devices=N}, {@code --rate=N}, {@code --seconds=N}, {@code
   * --warm-up=N} and {@code key=value} (gateway config, checked now so a wrong key fails before the
   * devices are set up).
   *
   * @throws IllegalArgumentException naming the argument that is wrong
   */
  static CommandsOptions parse(String[] args) {
    boolean quick = false;
    int devices = DEVICES;
    int rate = RATE;
    Integer seconds = null;
    Integer warmUp = null;
    Map<String, String> gateway = new LinkedHashMap<>();
    for (String a : args) {
      if (a.equals("--quick")) {
        quick = true;
      } else if (a.startsWith("--devices=")) {
        devices = Args.positive(a);
      } else if (a.startsWith("--rate=")) {
        rate = Args.positive(a);
      } else if (a.startsWith("--seconds=")) {
        seconds = Args.positive(a);
      } else if (a.startsWith("--warm-up=")) {
        warmUp = Args.positive(a);
      } else if (Args.isSetting(a)) {
        gateway.put(Args.key(a), Args.value(a));
      } else {
        throw Args.unknown(a);
      }
    }
    if (rate > MAX_RATE) {
      throw new IllegalArgumentException(
          "--rate=" + rate + ": at most " + String.format("%,d", MAX_RATE) + " commands/s");
    }
    if (gateway.containsKey(IngressConfig.COMMANDS_ENABLED_CONFIG)) {
      throw new IllegalArgumentException(
          IngressConfig.COMMANDS_ENABLED_CONFIG
              + ": the commands bench needs the gateway's"
              + " command routing on; leave the key out");
    }
    try {
      IngressConfig.load(
          null, Map.of(), IngressBench.gatewayConfig(gateway, "127.0.0.1:9092", "http://x"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("gateway config: " + e.getMessage(), e);
    }
    return new CommandsOptions(
        devices,
        rate,
        Duration.ofSeconds(seconds != null ? seconds : quick ? 10 : 30),
        Duration.ofSeconds(warmUp != null ? warmUp : quick ? 3 : 5),
        Duration.ofSeconds(30),
        Map.copyOf(gateway));
  }

  /** True if the run holds the conditions: 10,000 devices, 1,000 commands/s. */
  boolean atTarget() {
    return devices >= DEVICES && rate == RATE;
  }
}
