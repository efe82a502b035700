package io.biometer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How much CPU processes outside the bench used while it ran, on average, in cores: the machine's
 * busy time (Linux {@code /proc/stat}) minus this JVM's and its child processes' (the Connect
 * worker's). On a shared machine, a figure measured beside another job reads low; this says by how
 * much the machine was shared. NaN where {@code /proc} is missing.
 */
final class CpuUse {

  private final long busy;
  private final long total;
  private final long ours;

  private CpuUse(long busy, long total, long ours) {
    this.busy = busy;
    this.total = total;
    this.ours = ours;
  }

  /** A snapshot now. */
  static CpuUse now() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      long ours =
          Stream.concat(Stream.of(ProcessHandle.current()), ProcessHandle.current().descendants())
              .mapToLong(p -> ticks(p.pid()))
              .sum();
      return new CpuUse(total - idle, total, ours);
    } catch (IOException | RuntimeException e) {
      return new CpuUse(-1, -1, -1);
    }
  }

  /** Cores used on average by other processes between {@code start} and now. */
  double othersSince(CpuUse start, int cores) {
    if (start.total < 0 || total <= start.total) {
      return Double.NaN;
    }
    long others = (busy - start.busy) - (ours - start.ours);
    return Math.max(0, others) * (double) cores / (total - start.total);
  }

  /** Cores this process tree used on average between {@code start} and now. */
  double oursSince(CpuUse start, int cores) {
    if (start.total < 0 || total <= start.total) {
      return Double.NaN;
    }
    return (ours - start.ours) * (double) cores / (total - start.total);
  }

  /** utime + stime of a process, in clock ticks (the unit of /proc/stat). */
  private static long ticks(long pid) {
    try {
      String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // The command name may hold spaces: fields count from after its closing parenthesis.
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
