package io.biometer.streams.aggregation;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * A calendar day in a time zone, as an interval of instants: 24 hours long, or 23 and 25 hours on
 * the days a zone with daylight saving time changes its clocks.
 *
 * @param day the calendar day
 * @param start the first instant of the day (inclusive)
 * @param end the first instant of the next day (exclusive)
 */
public record DayWindow(LocalDate day, long start, long end) {

  /** The day that contains {@code eventTime} in {@code zone}. */
  public static DayWindow of(long eventTime, ZoneId zone) {
    LocalDate day = Instant.ofEpochMilli(eventTime).atZone(zone).toLocalDate();
    return of(day, zone);
  }

  /** The day {@code day} in {@code zone}. */
  public static DayWindow of(LocalDate day, ZoneId zone) {
    long start = day.atStartOfDay(zone).toInstant().toEpochMilli();
    long end = day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
    return new DayWindow(day, start, end);
  }

  /** Length of the day in hours (23, 24 or 25). */
  public double hours() {
    return (end - start) / 3_600_000d;
  }
}
