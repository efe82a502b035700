package io.biometer.check;

import io.biometer.avro.SensorType;
import io.biometer.catalog.ChannelSpec;
import io.biometer.catalog.SensorCatalog;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Judges the {@link Evidence}: what it expects comes from the ground truth, the raw input as Kafka
 * holds it and the sensor catalogue (data), never from the pipeline's code. Its own small models:
 * the first copy of a reading in partition order wins (Kafka's order is the order the pipeline
 * reads); a value alert is raised when a value leaves the catalogue's normal range and cleared when
 * it is back inside by more than the channel's hysteresis; a day is a UTC calendar day.
 */
final class Verdicts {

  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final int SHOWN = 3;

  private final Evidence ev;
  private final TruthTable table;
  private final SensorCatalog catalog = SensorCatalog.standard();
  // The expected clean readings (first copies), in partition order.
  private final List<Evidence.Raw> winners = new ArrayList<>();
  private final Map<String, Long> copiesByRelay = new TreeMap<>();
  private final Map<String, Long> winsByRelay = new TreeMap<>();
  private final Map<String, Long> copiesByDeviceDay = new HashMap<>();
  private final Map<String, String> types = new HashMap<>();

  Verdicts(Evidence ev, TruthTable table) {
    this.ev = ev;
    this.table = table;
    Set<String> seen = new HashSet<>();
    for (Evidence.Raw r : ev.raw) {
      String relay = relayGroup(r.relay());
      copiesByRelay.merge(relay, 1L, Long::sum);
      copiesByDeviceDay.merge(deviceDay(r.device(), r.eventTime()), 1L, Long::sum);
      types.put(r.device(), r.type());
      if (seen.add(r.device() + "|" + r.sequence() + "|" + r.eventTime())) {
        winners.add(r);
        winsByRelay.merge(relay, 1L, Long::sum);
      }
    }
  }

  /** Meter batches each have their own relay id: they count as one relay. */
  private static String relayGroup(String relay) {
    return relay.startsWith("sink") || relay.contains(".sink") ? relay : "meter upload batches";
  }

  private static String deviceDay(String device, long t) {
    return device + "|" + Math.floorDiv(t, DAY);
  }

  void judge() {
    readings();
    relays();
    alerts();
    aggregates();
    ledger();
    dlq();
    spoolAndBatches();
  }

  // ---- readings: each exactly once, channel by channel ----

  private void readings() {
    Map<String, Long> cleanCounts =
        ev.clean.stream().collect(Collectors.groupingBy(k -> k, Collectors.counting()));
    Set<String> expectedIds = new HashSet<>();
    winners.forEach(w -> expectedIds.add(w.device() + "|" + w.sequence()));
    long repeated = cleanCounts.values().stream().filter(n -> n > 1).count();
    Set<String> missing = new HashSet<>(expectedIds);
    missing.removeAll(cleanCounts.keySet());
    Set<String> extra = new HashSet<>(cleanCounts.keySet());
    extra.removeAll(expectedIds);
    table.add(
        "readings",
        "telemetry.readings.clean: each reading once",
        expectedIds.size(),
        ev.clean.size(),
        ev.clean.size() == expectedIds.size()
            && missing.isEmpty()
            && extra.isEmpty()
            && repeated == 0,
        diff(missing, extra, repeated));

    // Rows landed, per channel.
    Map<String, Map<String, Double>> expectedByChannel = new TreeMap<>();
    for (Evidence.Raw w : winners) {
      w.values()
          .forEach(
              (channel, v) ->
                  expectedByChannel
                      .computeIfAbsent(w.type() + "." + channel, k -> new HashMap<>())
                      .put(w.device() + "|" + w.sequence() + "|" + channel, v));
    }
    Map<String, Map<String, List<Double>>> landed = new TreeMap<>();
    for (Evidence.Row r : ev.rows) {
      String type = typeOf(r.device());
      landed
          .computeIfAbsent(type + "." + r.channel(), k -> new HashMap<>())
          .computeIfAbsent(
              r.device() + "|" + r.sequence() + "|" + r.channel(), k -> new ArrayList<>())
          .add(r.value());
    }
    Set<String> channels = new java.util.TreeSet<>(expectedByChannel.keySet());
    channels.addAll(landed.keySet());
    for (String channel : channels) {
      Map<String, Double> want = expectedByChannel.getOrDefault(channel, Map.of());
      Map<String, List<Double>> got = landed.getOrDefault(channel, Map.of());
      long rows = got.values().stream().mapToLong(List::size).sum();
      Set<String> miss = new HashSet<>(want.keySet());
      miss.removeAll(got.keySet());
      Set<String> more = new HashSet<>(got.keySet());
      more.removeAll(want.keySet());
      long dups = got.values().stream().filter(l -> l.size() > 1).count();
      List<String> wrong = new ArrayList<>();
      want.forEach(
          (k, v) -> {
            List<Double> g = got.get(k);
            if (g != null && g.stream().anyMatch(x -> Double.compare(x, v) != 0)) {
              wrong.add(k + " " + v + " landed as " + g);
            }
          });
      String detail =
          diff(miss, more, dups) + (wrong.isEmpty() ? "" : "; wrong value " + first(wrong));
      table.add(
          "readings",
          "rows landed: " + channel,
          want.size(),
          rows,
          rows == want.size() && miss.isEmpty() && more.isEmpty() && dups == 0 && wrong.isEmpty(),
          detail);
    }
  }

  private String typeOf(String device) {
    return types.getOrDefault(device, "?");
  }

  // ---- duplicates dropped, per relay ----

  private void relays() {
    Map<String, Long> landedWins = new TreeMap<>();
    Set<String> counted = new HashSet<>();
    for (Evidence.Row r : ev.rows) {
      if (counted.add(r.device() + "|" + r.sequence())) {
        landedWins.merge(relayGroup(r.relay()), 1L, Long::sum);
      }
    }
    for (Map.Entry<String, Long> e : copiesByRelay.entrySet()) {
      long expected = e.getValue() - winsByRelay.getOrDefault(e.getKey(), 0L);
      long observed = e.getValue() - landedWins.getOrDefault(e.getKey(), 0L);
      table.add(
          "dedup",
          "duplicates dropped, relay " + e.getKey(),
          expected,
          observed,
          expected == observed,
          "copies relayed " + e.getValue());
    }
  }

  // ---- episodes and alerts ----

  private record Transition(String device, String rule, String state, long eventTime) {}

  private List<Transition> expectedTransitions() {
    List<Transition> out = new ArrayList<>();
    Map<String, Boolean> raised = new HashMap<>();
    for (Evidence.Raw w : winners) {
      SensorType type = SensorType.valueOf(w.type());
      for (ChannelSpec c : catalog.spec(type).channels()) {
        Double v = w.values().get(c.name());
        if (v == null) {
          continue;
        }
        if (c.normalMax() < c.possibleMax()) {
          step(
              out,
              raised,
              w,
              type + "." + c.name() + ".high",
              v > c.normalMax(),
              v < c.normalMax() - c.hysteresis());
        }
        if (c.normalMin() > c.possibleMin()) {
          step(
              out,
              raised,
              w,
              type + "." + c.name() + ".low",
              v < c.normalMin(),
              v > c.normalMin() + c.hysteresis());
        }
      }
    }
    return out;
  }

  private static void step(
      List<Transition> out,
      Map<String, Boolean> raised,
      Evidence.Raw w,
      String rule,
      boolean outside,
      boolean backInside) {
    String key = w.device() + "|" + rule;
    boolean up = raised.getOrDefault(key, false);
    if (!up && outside) {
      raised.put(key, true);
      out.add(new Transition(w.device(), rule, "RAISED", w.eventTime()));
    } else if (up && backInside) {
      raised.put(key, false);
      out.add(new Transition(w.device(), rule, "CLEARED", w.eventTime()));
    }
  }

  private void alerts() {
    List<Transition> want = expectedTransitions();
    List<Transition> got = new ArrayList<>();
    for (Evidence.Alert a : ev.alerts) {
      if (a.kind().equals("VALUE_HIGH") || a.kind().equals("VALUE_LOW")) {
        got.add(new Transition(a.device(), a.rule(), a.state(), a.eventTime()));
      }
    }
    Map<String, List<Transition>> wantBy = byDeviceRule(want);
    Map<String, List<Transition>> gotBy = byDeviceRule(got);
    Set<String> keys = new java.util.TreeSet<>(wantBy.keySet());
    keys.addAll(gotBy.keySet());
    List<Evidence.Episode> episodes = ev.episodes;
    for (String key : keys) {
      List<Transition> w = wantBy.getOrDefault(key, List.of());
      List<Transition> g = gotBy.getOrDefault(key, List.of());
      String device = key.substring(0, key.indexOf('|'));
      String rule = key.substring(key.indexOf('|') + 1);
      List<Evidence.Episode> mine =
          episodes.stream().filter(e -> e.device().equals(device)).toList();
      // Each episode: the RAISED of this rule within it, and its delay from the episode's start.
      List<Long> delays = new ArrayList<>();
      int twice = 0;
      for (Evidence.Episode e : mine) {
        List<Transition> in =
            g.stream()
                .filter(t -> t.state().equals("RAISED"))
                .filter(t -> t.eventTime() >= e.start() && t.eventTime() <= e.end() + e.ramp())
                .toList();
        if (in.size() > 1) {
          twice++;
        }
        if (!in.isEmpty()) {
          delays.add(in.get(0).eventTime() - e.start());
        }
      }
      long raisedW = count(w, "RAISED");
      long clearedW = count(w, "CLEARED");
      long raisedG = count(g, "RAISED");
      long clearedG = count(g, "CLEARED");
      String delay =
          delays.isEmpty()
              ? ""
              : "episodes "
                  + mine.size()
                  + ", delay from episode start to RAISED (event time) max "
                  + Duration.ofMillis(delays.stream().mapToLong(x -> x).max().orElse(0))
                  + " ";
      boolean same = w.equals(g);
      table.add(
          "alerts",
          device + " " + rule + " RAISED/CLEARED",
          raisedW + "/" + clearedW,
          raisedG + "/" + clearedG,
          same && twice == 0,
          delay
              + (twice > 0 ? twice + " episodes raised twice " : "")
              + (same ? "" : "transitions differ: expected " + first(w) + " got " + first(g)));
    }
    long withAlert = episodesRaised(episodes, got);
    long expectWithAlert = episodesRaised(episodes, want);
    table.add(
        "alerts",
        "episodes injected that raised an alert",
        expectWithAlert,
        withAlert,
        expectWithAlert == withAlert && expectWithAlert > 0,
        "episodes injected " + episodes.size());
  }

  /** Episodes within which (start to end plus ramp) their device had a RAISED transition. */
  private static long episodesRaised(List<Evidence.Episode> episodes, List<Transition> ts) {
    return episodes.stream()
        .filter(
            e ->
                ts.stream()
                    .anyMatch(
                        t ->
                            t.device().equals(e.device())
                                && t.state().equals("RAISED")
                                && t.eventTime() >= e.start()
                                && t.eventTime() <= e.end() + e.ramp()))
        .count();
  }

  private static long count(List<Transition> ts, String state) {
    return ts.stream().filter(t -> t.state().equals(state)).count();
  }

  private static Map<String, List<Transition>> byDeviceRule(List<Transition> ts) {
    Map<String, List<Transition>> by = new LinkedHashMap<>();
    for (Transition t : ts) {
      by.computeIfAbsent(t.device() + "|" + t.rule(), k -> new ArrayList<>()).add(t);
    }
    return by;
  }

  // ---- daily aggregates ----

  private record Stats(long count, double min, double max, double sum) {
    Stats add(double v) {
      return new Stats(count + 1, Math.min(min, v), Math.max(max, v), sum + v);
    }
  }

  private void aggregates() {
    Set<String> tooLate = new HashSet<>(ev.tooLateIds);
    Map<String, Stats> want = new TreeMap<>();
    for (Evidence.Raw w : winners) {
      if (tooLate.contains(w.device() + "|" + w.sequence())) {
        continue;
      }
      long day = Math.floorDiv(w.eventTime(), DAY) * DAY;
      w.values()
          .forEach(
              (ch, v) ->
                  want.merge(
                      w.device() + "|" + ch + "|" + day,
                      new Stats(1, v, v, v),
                      (a, b) -> a.add(b.sum())));
    }
    Map<String, Evidence.Aggregate> got = new HashMap<>();
    ev.aggregates.forEach(a -> got.put(a.device() + "|" + a.channel() + "|" + a.windowStart(), a));
    List<String> wrong = new ArrayList<>();
    want.forEach(
        (k, s) -> {
          Evidence.Aggregate a = got.get(k);
          double mean = s.sum() / s.count();
          if (a == null) {
            wrong.add(k + " missing");
          } else if (a.count() != s.count()
              || a.min() != s.min()
              || a.max() != s.max()
              || Math.abs(a.mean() - mean) > 1e-9 * Math.max(1, Math.abs(mean))) {
            wrong.add(
                k
                    + " expected n="
                    + s.count()
                    + " min="
                    + s.min()
                    + " max="
                    + s.max()
                    + " mean="
                    + mean
                    + ", stored n="
                    + a.count()
                    + " min="
                    + a.min()
                    + " max="
                    + a.max()
                    + " mean="
                    + a.mean());
          }
        });
    Set<String> extra = new HashSet<>(got.keySet());
    extra.removeAll(want.keySet());
    table.add(
        "aggregates",
        "daily aggregates (count, min, max, mean) per device, channel, day",
        want.size(),
        got.size(),
        wrong.isEmpty() && extra.isEmpty(),
        (wrong.isEmpty() ? "" : wrong.size() + " differ, e.g. " + first(wrong))
            + (extra.isEmpty() ? "" : "; unexpected " + first(new ArrayList<>(extra))));
    // Final exactly when stream time (the task's latest event time) passed the day's end + grace.
    Map<Integer, Long> streamTimes = streamTimes();
    Map<String, Integer> partitionOf = new HashMap<>();
    winners.forEach(w -> partitionOf.put(w.device(), w.partition()));
    long mustClose = 0;
    long closed = 0;
    List<String> wrongFinal = new ArrayList<>();
    for (Evidence.Aggregate a : ev.aggregates) {
      Integer p = partitionOf.get(a.device());
      Boolean fin = p == null ? null : mustBeFinal(a.windowStart(), streamTimes.get(p));
      if (Boolean.TRUE.equals(fin)) {
        mustClose++;
      }
      if (a.isFinal()) {
        closed++;
      }
      if (fin != null && fin != a.isFinal()) {
        wrongFinal.add(
            a.device() + "|" + a.channel() + "|" + a.windowStart() + " final=" + a.isFinal());
      }
    }
    table.add(
        "aggregates",
        "days final exactly when stream time passed day end + grace",
        mustClose,
        closed,
        wrongFinal.isEmpty() && mustClose > 0,
        wrongFinal.isEmpty() ? "" : first(wrongFinal));
  }

  // ---- the loss ledger ----

  private static final class Day {
    long received;
    long firstSeq = Long.MAX_VALUE;
    long lastSeq = Long.MIN_VALUE;
    long late;
    long dlq;
    long tooLate;
    int partition = -1;
    String device;
  }

  /**
   * Per partition (a streams task reads partition p of both reading topics), the latest event time
   * of its readings: the task's stream time once everything was processed.
   */
  private Map<Integer, Long> streamTimes() {
    Map<Integer, Long> times = new HashMap<>();
    for (Evidence.Raw w : winners) {
      times.merge(w.partition(), w.eventTime(), Math::max);
    }
    return times;
  }

  /**
   * Whether a day in partition p must be final (TRUE), must not be (FALSE), or may be either (null:
   * it closes within the last minute of stream time, which the stream-time punctuation may not have
   * reached).
   */
  private Boolean mustBeFinal(long dayStart, Long streamTime) {
    if (streamTime == null) {
      return null;
    }
    long closes = dayStart + DAY + ev.grace;
    if (closes <= streamTime - 60_000) {
      return true;
    }
    return closes > streamTime ? false : null;
  }

  private void ledger() {
    Map<String, java.util.TreeSet<Long>> never = new HashMap<>();
    for (String id : ev.neverRelayed) {
      int bar = id.lastIndexOf('|');
      never
          .computeIfAbsent(id.substring(0, bar), k -> new java.util.TreeSet<>())
          .add(Long.parseLong(id.substring(bar + 1)));
    }
    Map<String, Day> days = new TreeMap<>();
    for (Evidence.Raw w : winners) {
      Day d = days.computeIfAbsent(deviceDay(w.device(), w.eventTime()), k -> new Day());
      d.device = w.device();
      d.partition = w.partition();
      d.received++;
      d.firstSeq = Math.min(d.firstSeq, w.sequence());
      d.lastSeq = Math.max(d.lastSeq, w.sequence());
      // Late: it reached Kafka more than alerts.late.after.ms after it was measured.
      if (w.arrival() - w.eventTime() > ev.lateAfter) {
        d.late++;
      }
    }
    for (Evidence.Poison p : ev.poison) {
      Day d = days.computeIfAbsent(p.deviceId() + "|" + p.day(), k -> new Day());
      d.device = p.deviceId();
      d.dlq++;
      if (p.reason().equals("too-late")) {
        d.tooLate++;
      }
    }
    Map<Integer, Long> streamTimes = streamTimes();
    Map<String, Evidence.Ledger> got = new HashMap<>();
    ev.ledger.forEach(l -> got.put(l.device() + "|" + Math.floorDiv(l.windowStart(), DAY), l));
    List<String> wrong = new ArrayList<>();
    long gapsObserved = 0;
    long neverInSpans = 0;
    for (Map.Entry<String, Day> e : days.entrySet()) {
      Day d = e.getValue();
      Evidence.Ledger l = got.get(e.getKey());
      // From the ground truth: the readings the device made between the day's first and last
      // received, of which those no sink relayed are the gaps.
      long missing =
          d.received == 0
              ? 0
              : never
                  .getOrDefault(d.device, new java.util.TreeSet<>())
                  .subSet(d.firstSeq, false, d.lastSeq, false)
                  .size();
      neverInSpans += missing;
      long expected = d.received + missing;
      long dups = copiesByDeviceDay.getOrDefault(e.getKey(), 0L) - d.received;
      if (l == null) {
        wrong.add(e.getKey() + " no row");
        continue;
      }
      gapsObserved += l.gaps();
      long dayStart = Long.parseLong(e.getKey().substring(e.getKey().lastIndexOf('|') + 1)) * DAY;
      Boolean fin = d.partition < 0 ? null : mustBeFinal(dayStart, streamTimes.get(d.partition));
      Long firstSeq = d.received == 0 ? null : d.firstSeq;
      Long lastSeq = d.received == 0 ? null : d.lastSeq;
      if (l.expected() != expected
          || l.received() != d.received
          || l.gaps() != missing
          || l.duplicates() != dups
          || l.late() != d.late
          || l.tooLate() != d.tooLate
          || l.dlq() != d.dlq
          || !java.util.Objects.equals(l.firstSequence(), firstSeq)
          || !java.util.Objects.equals(l.lastSequence(), lastSeq)
          || (fin != null && l.isFinal() != fin)) {
        wrong.add(
            e.getKey()
                + " expected exp/recv/gaps/dups/late/tooLate/dlq/seqs/final "
                + expected
                + "/"
                + d.received
                + "/"
                + missing
                + "/"
                + dups
                + "/"
                + d.late
                + "/"
                + d.tooLate
                + "/"
                + d.dlq
                + "/"
                + firstSeq
                + ".."
                + lastSeq
                + "/"
                + fin
                + ", stored "
                + l.expected()
                + "/"
                + l.received()
                + "/"
                + l.gaps()
                + "/"
                + l.duplicates()
                + "/"
                + l.late()
                + "/"
                + l.tooLate()
                + "/"
                + l.dlq()
                + "/"
                + l.firstSequence()
                + ".."
                + l.lastSequence()
                + "/"
                + l.isFinal());
      }
    }
    Set<String> extra = new HashSet<>(got.keySet());
    extra.removeAll(days.keySet());
    table.add(
        "ledger",
        "data_completeness rows per device and day, every column",
        days.size(),
        ev.ledger.size(),
        wrong.isEmpty() && extra.isEmpty(),
        (wrong.isEmpty() ? "" : wrong.size() + " differ, e.g. " + first(wrong))
            + (extra.isEmpty() ? "" : "; unexpected " + first(new ArrayList<>(extra))));
    long late = days.values().stream().mapToLong(d -> d.late).sum();
    long received = days.values().stream().mapToLong(d -> d.received).sum();
    long lateSeen = ev.ledger.stream().mapToLong(Evidence.Ledger::late).sum();
    long receivedSeen = ev.ledger.stream().mapToLong(Evidence.Ledger::received).sum();
    table.add(
        "ledger",
        "late readings (reached Kafka > alerts.late.after.ms after measured) / not late",
        late + " / " + (received - late),
        lateSeen + " / " + (receivedSeen - lateSeen),
        late == lateSeen && received == receivedSeen && late > 0 && received > late);
    table.add(
        "ledger",
        "sink asleep: readings no sink relayed (ground truth) = gaps in the ledger",
        neverInSpans,
        gapsObserved,
        neverInSpans == gapsObserved && neverInSpans > 0 && ev.sinkSleeps > 0,
        "never relayed in all " + ev.neverRelayed.size() + ", sink sleep periods " + ev.sinkSleeps);
  }

  // ---- DLQ by reason ----

  private void dlq() {
    Map<String, Long> want = new TreeMap<>();
    ev.poison.forEach(p -> want.merge(p.reason(), 1L, Long::sum));
    Set<String> reasons = new java.util.TreeSet<>(want.keySet());
    reasons.addAll(ev.dlqByReason.keySet());
    for (String reason : reasons) {
      table.equal(
          "dlq",
          "telemetry.dlq records, reason " + reason,
          want.getOrDefault(reason, 0L),
          ev.dlqByReason.getOrDefault(reason, 0L));
    }
  }

  // ---- spool and meter batches ----

  private void spoolAndBatches() {
    // Every record the ground truth says was spooled is in Kafka, marked spooled, as often.
    Map<String, Long> marked = new HashMap<>();
    ev.raw.stream()
        .filter(Evidence.Raw::spooled)
        .forEach(
            r -> marked.merge(r.topic() + "|" + r.device() + "|" + r.sequence(), 1L, Long::sum));
    long readingsSpooled = 0;
    long found = 0;
    for (Map.Entry<String, Long> e : ev.spooledIds.entrySet()) {
      if (e.getKey().startsWith(io.biometer.Topics.BODY_READINGS + "|")
          || e.getKey().startsWith(io.biometer.Topics.METER_READINGS + "|")) {
        readingsSpooled += e.getValue();
        found += Math.min(e.getValue(), marked.getOrDefault(e.getKey(), 0L));
      }
    }
    table.add(
        "spool",
        "readings spooled while Kafka was unreachable, replayed and marked spooled",
        readingsSpooled,
        found,
        readingsSpooled > 0 && found == readingsSpooled && ev.lost == 0,
        "spooled records of every kind " + ev.spooled + ", lost " + ev.lost);
    Set<String> landedMeters = new HashSet<>();
    for (Evidence.Row r : ev.rows) {
      String id = r.device() + "|" + r.sequence();
      if (typeOf(r.device()).equals("SOIL_METER") && !ev.tooLateIds.contains(id)) {
        landedMeters.add(id);
      }
    }
    table.add(
        "meters",
        "meter samples of the day-late batches that landed in readings",
        ev.meterSamples,
        landedMeters.size(),
        ev.meterBatches > 0 && ev.meterSamples == landedMeters.size(),
        "batches " + ev.meterBatches);
  }

  // ---- helpers ----

  private static String diff(Set<String> missing, Set<String> extra, long repeated) {
    List<String> parts = new ArrayList<>();
    if (!missing.isEmpty()) {
      parts.add(missing.size() + " missing, e.g. " + first(new ArrayList<>(missing)));
    }
    if (!extra.isEmpty()) {
      parts.add(extra.size() + " unexpected, e.g. " + first(new ArrayList<>(extra)));
    }
    if (repeated > 0) {
      parts.add(repeated + " more than once");
    }
    return String.join("; ", parts);
  }

  private static String first(List<?> items) {
    return items.stream().limit(SHOWN).map(String::valueOf).collect(Collectors.joining(", "))
        + (items.size() > SHOWN ? ", ..." : "");
  }

  /** A UTC day as ISO text, for messages. */
  static String day(long epochDay) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(epochDay * DAY), ZoneOffset.UTC).toString();
  }
}
