package io.biometer.simulator.model;

import io.biometer.avro.SinkState;
import java.util.ArrayList;
import java.util.List;

/**
 * The state machine of one body sink: UP relays and drains; below {@link
 * SinkBatteryConfig#sleepBelow()} it falls SLEEPING (relays nothing, charges) until charged to
 * {@link SinkBatteryConfig#wakeAt()}; during its daily charging period it is CHARGING (relays and
 * charges). Time only moves forward through {@link #advanceTo} and {@link #relay}, which return
 * every state change with the exact simulated time it happened. Not thread-safe: one patient's
 * sinks belong to one scheduler thread.
 */
public final class SinkModel {

  /**
   * A state change.
   *
   * @param at simulated time of the change
   * @param from the state left
   * @param to the state entered
   * @param batteryPercent the charge at the change
   * @param reason why, for people
   */
  public record Transition(
      long at, SinkState from, SinkState to, double batteryPercent, String reason) {}

  private static final long DAY = 86_400_000L;

  private final String id;
  private final SinkBatteryConfig config;
  private final long chargeStartOfDay;
  private final long chargeLength;
  private final Battery battery;
  private SinkState state;

  /**
   * A sink that is UP at {@code start} with {@code percent} charge, whose daily charging period
   * starts {@code chargeStartOfDay} milliseconds after midnight UTC.
   */
  public SinkModel(
      String id, SinkBatteryConfig config, double percent, long start, long chargeStartOfDay) {
    this.id = id;
    this.config = config;
    this.chargeStartOfDay = Math.floorMod(chargeStartOfDay, DAY);
    this.chargeLength = (long) (config.chargingHoursPerDay() * 3_600_000d);
    this.battery = new Battery(percent, start);
    this.state = SinkState.UP;
  }

  public String id() {
    return id;
  }

  public SinkState state() {
    return state;
  }

  public double batteryPercent() {
    return battery.percent();
  }

  /** True if the sink relays readings (UP or CHARGING). */
  public boolean awake() {
    return state != SinkState.SLEEPING && state != SinkState.DOWN;
  }

  /** Brings the sink to simulated time {@code now}; returns the changes on the way, in order. */
  public List<Transition> advanceTo(long now) {
    List<Transition> out = new ArrayList<>(0);
    long t = battery.at();
    while (t < now) {
      boolean charging = state != SinkState.UP;
      long next = Math.min(now, nextBoundary(t, charging));
      battery.advance(next, charging, config.idleDrainPerHour(), config.chargePerHour());
      t = next;
      settle(t, out);
    }
    return out;
  }

  /** Relays one reading at {@code now} (the caller checked {@link #awake()} after advancing). */
  public List<Transition> relay(long now) {
    List<Transition> out = advanceTo(now);
    battery.drain(config.relayCost());
    settle(now, out);
    return out;
  }

  private void settle(long t, List<Transition> out) {
    SinkState target = state;
    String reason = null;
    double p = battery.percent();
    if (state == SinkState.SLEEPING) {
      if (p >= config.wakeAt() - 1e-9) {
        target = inChargingPeriod(t) ? SinkState.CHARGING : SinkState.UP;
        reason = "battery charged to " + round(p) + " %";
      }
    } else if (p < config.sleepBelow() && state == SinkState.UP) {
      target = SinkState.SLEEPING;
      reason = "battery below " + round(config.sleepBelow()) + " %";
    } else if (inChargingPeriod(t) && state == SinkState.UP) {
      target = SinkState.CHARGING;
      reason = "daily charging period";
    } else if (!inChargingPeriod(t) && state == SinkState.CHARGING) {
      target = SinkState.UP;
      reason = "charging period over";
    }
    if (target != state) {
      out.add(new Transition(t, state, target, p, reason));
      state = target;
    }
  }

  /** The first time after {@code t} at which something may change, at the current rates. */
  private long nextBoundary(long t, boolean charging) {
    long best = Long.MAX_VALUE;
    double p = battery.percent();
    if (state == SinkState.UP && config.idleDrainPerHour() > 0 && p >= config.sleepBelow()) {
      best =
          Math.min(best, t + ceilMillis((p - config.sleepBelow()) / config.idleDrainPerHour()) + 1);
    }
    if (state == SinkState.SLEEPING && p < config.wakeAt()) {
      best = Math.min(best, t + ceilMillis((config.wakeAt() - p) / config.chargePerHour()));
    }
    if (chargeLength > 0) {
      long dayStart = Math.floorDiv(t, DAY) * DAY;
      for (long d = dayStart - DAY; d <= dayStart + DAY; d += DAY) {
        long on = d + chargeStartOfDay;
        long off = on + chargeLength;
        if (on > t) {
          best = Math.min(best, on);
        }
        if (off > t) {
          best = Math.min(best, off);
        }
      }
    }
    return Math.max(best, t + 1);
  }

  private boolean inChargingPeriod(long t) {
    if (chargeLength == 0) {
      return false;
    }
    long sinceStart = Math.floorMod(t - chargeStartOfDay, DAY);
    return sinceStart < chargeLength;
  }

  private static long ceilMillis(double hours) {
    return (long) Math.ceil(hours * 3_600_000d);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
