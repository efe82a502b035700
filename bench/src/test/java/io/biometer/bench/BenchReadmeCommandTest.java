package io.biometer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./biometer bench readme}: a run's JSON copied beside the README as {@code
 * docs/performance.json}, and the README's generated section rewritten from it.
 */
class BenchReadmeCommandTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int readme(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "readme";
    System.arraycopy(args, 0, all, 1, args.length);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    return BenchApp.run(all, e, e);
  }

  private Path readmeWithMarkers() throws Exception {
    Path readme = dir.resolve("docs/benchmarks.md");
    Files.createDirectories(readme.getParent());
    Files.writeString(
        readme,
        "# x\n\n## Performance\n\n"
            + BenchReport.README_BEGIN
            + "\nold\n"
            + BenchReport.README_END
            + "\n\n## Next\n");
    return readme;
  }

  @Test
  void aRunsTableReplacesTheSectionAndItsJsonIsCommittedBesideTheReadme() throws Exception {
    String json = Files.readString(Path.of("..").resolve(BenchApp.PERFORMANCE_JSON));
    Path run = dir.resolve("target/bench/bench.json");
    Files.createDirectories(run.getParent());
    Files.writeString(run, json);
    Path readme = readmeWithMarkers();

    assertThat(readme("--from=" + run, "--page=" + readme)).as(err.toString()).isZero();

    String updated = Files.readString(readme);
    assertThat(updated)
        .contains(BenchReport.parse(json).markdown())
        .doesNotContain("old")
        .endsWith(BenchReport.README_END + "\n\n## Next\n");
    assertThat(Files.readString(dir.resolve("docs/performance.json"))).isEqualTo(json);
  }

  @Test
  void anIngressRunGoesToItsOwnSectionAndFileAndLeavesTheWholeRunsAlone() throws Exception {
    Machine m = new Machine("CPU", 2, 8, "JDK", "", 1024, "Linux", 0, 0, 0, 0);
    BenchReport r =
        new BenchReport.Builder()
            .row(
                "gateway heap per idle MQTT connection",
                "9,000 B",
                "-",
                "",
                "",
                Target.INGRESS_HEAP.judge(9_000),
                java.util.Map.of())
            .build("./biometer bench ingress", "t", 1, m);
    Path run = dir.resolve("target/bench/bench-ingress.json");
    Files.createDirectories(run.getParent());
    Files.writeString(run, r.json());
    Path readme = readmeWithMarkers();
    Files.writeString(
        readme,
        Files.readString(readme)
            + BenchReport.readmeBegin("ingress")
            + "\nold ingress\n"
            + BenchReport.readmeEnd("ingress")
            + "\n");

    assertThat(readme("--from=" + run, "--page=" + readme)).as(err.toString()).isZero();

    String updated = Files.readString(readme);
    assertThat(updated)
        .contains(BenchReport.README_BEGIN + "\nold\n" + BenchReport.README_END)
        .contains(BenchReport.readmeBegin("ingress") + "\n" + r.markdown())
        .doesNotContain("old ingress");
    assertThat(BenchReport.readmeBegin("ingress")).contains("docs/performance-ingress.json");
    assertThat(Files.readString(dir.resolve("docs/performance-ingress.json"))).isEqualTo(r.json());
    assertThat(dir.resolve("docs/performance.json")).doesNotExist();
  }

  @Test
  void aRunWithATargetNobodySetIsRefused() throws Exception {
    Machine m = new Machine("CPU", 2, 8, "JDK", "", 1024, "Linux", 0, 0, 0, 0);
    BenchReport r =
        new BenchReport.Builder()
            .row(
                "streams",
                "records/s",
                "1",
                "-",
                "",
                "",
                ">= 0.75x",
                Verdict.MISSES,
                java.util.Map.of())
            .build("c", "t", 1, m);
    Path run = dir.resolve("bench.json");
    Files.writeString(run, r.json());
    Path readme = readmeWithMarkers();

    assertThat(readme("--from=" + run, "--page=" + readme)).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("not in io.biometer.bench.Target");
    assertThat(Files.readString(readme)).contains("old");
    assertThat(dir.resolve("docs/performance.json")).doesNotExist();
  }

  @Test
  void anUnknownArgumentIsAUsageError() {
    assertThat(readme("--form=x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument '--form=x'");
  }
}
