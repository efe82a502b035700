package io.biometer.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The machine a bench ran on, as the table states it: CPU, cores, RAM, JVM, OS, and the load
 * average at the start and the end (another job on a shared machine shows there).
 *
 * @param cpu the CPU model, from /proc/cpuinfo where there is one
 * @param cores processors available to this JVM
 * @param ramGiB physical memory
 * @param jvm the JVM's name and version
 * @param jvmOptions this JVM's options (the bench's; the Connect worker is a child JVM of its own)
 * @param maxHeapMiB this JVM's maximum heap
 * @param os the OS name, version and architecture (and distribution, where /etc/os-release names
 *     it)
 * @param loadStart the 1-minute load average when the bench started
 * @param loadEnd the 1-minute load average when it ended
 * @param benchCores cores the bench's processes (this JVM, the Connect worker) used on average
 * @param otherCores cores other processes on the machine used on average meanwhile
 */
public record Machine(
    String cpu,
    int cores,
    double ramGiB,
    String jvm,
    String jvmOptions,
    long maxHeapMiB,
    String os,
    double loadStart,
    double loadEnd,
    double benchCores,
    double otherCores) {

  /** This machine now; {@code loadEnd} is filled in by {@link #ended()}. */
  public static Machine now() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    double ram = Double.NaN;
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      ram = sun.getTotalMemorySize() / (1024.0 * 1024 * 1024);
    }
    String distro =
        read("/etc/os-release", "PRETTY_NAME=").map(s -> s.replace("\"", "") + ", ").orElse("");
    return new Machine(
        read("/proc/cpuinfo", "model name").map(s -> s.replaceFirst("^\\s*:\\s*", "")).orElse("?"),
        Runtime.getRuntime().availableProcessors(),
        ram,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()),
        Runtime.getRuntime().maxMemory() / (1024 * 1024),
        distro
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        os.getSystemLoadAverage(),
        Double.NaN,
        Double.NaN,
        Double.NaN);
  }

  /** This record with the load average now as its end, and the CPU used since {@code start}. */
  Machine ended(CpuUse start) {
    CpuUse now = CpuUse.now();
    return new Machine(
        cpu,
        cores,
        ramGiB,
        jvm,
        jvmOptions,
        maxHeapMiB,
        os,
        loadStart,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        now.oursSince(start, cores),
        now.othersSince(start, cores));
  }

  /** One line for people. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%d cores (%s), %.1f GiB RAM, %s (bench JVM: max heap %,d MiB%s), %s; load average %.2f"
            + " at the start, %.2f at the end; CPU used on average: %.2f cores by the bench,"
            + " %.2f cores by other processes",
        cores,
        cpu,
        ramGiB,
        jvm,
        maxHeapMiB,
        jvmOptions.isBlank() ? "" : ", " + jvmOptions,
        os,
        loadStart,
        loadEnd,
        benchCores,
        otherCores);
  }

  private static Optional<String> read(String file, String prefix) {
    try {
      List<String> lines = Files.readAllLines(Path.of(file));
      return lines.stream()
          .filter(l -> l.startsWith(prefix))
          .findFirst()
          .map(l -> l.substring(prefix.length()).trim());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
