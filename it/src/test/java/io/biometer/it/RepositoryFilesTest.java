package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The files an open-source project is expected to have, and that they stay true: the license (also
 * declared in the POMs), the changelog, the contributing guide (its module table lists every
 * module, its links resolve) and an {@code .editorconfig} matching the build's formatter.
 */
class RepositoryFilesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theLicenseIsApache2AndEveryPomInheritsItsDeclaration() throws IOException {
    String license = Files.readString(ROOT.resolve("LICENSE"));
    assertThat(license).contains("Apache License").contains("Version 2.0, January 2004");
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    assertThat(parent)
        .contains("<name>Apache-2.0</name>")
        .contains("https://www.apache.org/licenses/LICENSE-2.0.txt");
    for (String module : ModuleBoundariesTest.modules()) {
      String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
      assertThat(pom)
          .as("%s/pom.xml inherits the license from biometer-parent", module)
          .contains("<artifactId>biometer-parent</artifactId>")
          .doesNotContain("<licenses>");
    }
  }

  @Test
  void theEditorConfigMatchesGoogleJavaFormat() throws IOException {
    String ec = Files.readString(ROOT.resolve(".editorconfig"));
    assertThat(ec).contains("root = true").contains("indent_size = 2").contains("charset = utf-8");
    assertThat(section(ec, "[*.java]")).contains("max_line_length = 100");
    // google-java-format's own style (2 spaces, 100 columns), not the AOSP variant (4 spaces).
    assertThat(Files.readString(ROOT.resolve("pom.xml")))
        .contains("<googleJavaFormat>")
        .doesNotContain("<style>AOSP</style>");
  }

  @Test
  void theContributingGuideNamesEveryModuleAndItsLinksResolve() throws IOException {
    String guide = Files.readString(ROOT.resolve("CONTRIBUTING.md"));
    assertThat(guide).contains("./mvnw verify").contains("./biometer bench").contains(".ci/run");
    for (String module : ModuleBoundariesTest.modules()) {
      assertThat(guide).as("CONTRIBUTING.md's module table").contains("| `" + module + "/` |");
    }
    assertThat(links(guide)).isNotEmpty().allSatisfy(l -> assertThat(ROOT.resolve(l)).exists());
  }

  @Test
  void theChangelogHasAnUnreleasedSection() throws IOException {
    String log = Files.readString(ROOT.resolve("CHANGELOG.md"));
    assertThat(log).startsWith("# Changelog").contains("## [Unreleased]");
  }

  /** Relative Markdown link targets, e.g. {@code docs/design.md}. */
  static List<String> links(String markdown) {
    Matcher m = Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)").matcher(markdown);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String section(String ini, String header) {
    int at = ini.indexOf(header);
    assertThat(at).as("section %s", header).isNotNegative();
    int next = ini.indexOf("\n[", at + header.length());
    return next < 0 ? ini.substring(at) : ini.substring(at, next);
  }
}
