package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No module reaches into another module's {@code internal} package: what is not a contract lives in
 * {@code internal} (docs/style.md), and only the code of the package that owns it may use it.
 * Checked with ArchUnit over every module's compiled classes, main and test ({@code
 * <module>/target/classes} and {@code <module>/target/test-classes} of each module the parent POM
 * lists), so a module off this module's classpath (the benchmarks, the connector plugin) and the
 * integration tests here are checked too. A module's tests may use its own internal packages by the
 * same rule (a test in {@code io.biometer.streams} may use {@code io.biometer.streams.internal}).
 * The fixture that proves the rule fails ({@value #FIXTURE}) is left out of the whole-repo scan.
 */
class ModuleBoundariesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** The package of the classes that break the rule on purpose. */
  static final String FIXTURE = "io.biometer.it.fixture";

  /** Leaves the fixture out: it breaks the rule on purpose. */
  private static final ImportOption NOT_THE_FIXTURE =
      location -> !location.contains("/" + FIXTURE.replace('.', '/') + "/");

  /**
   * A class may use {@code a.b.internal..} only if it lives in {@code a.b} or below: the code
   * beside the internal package, never another module's.
   */
  static final ArchRule INTERNAL_STAYS_INSIDE =
      ArchRuleDefinition.classes()
          .should(onlyUseInternalPackagesOfTheirOwnPackage())
          .allowEmptyShould(false);

  @Test
  void noModuleImportsAnotherModulesInternalPackage() throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (String module : modules()) {
      for (String output : List.of("target/classes", "target/test-classes")) {
        Path classes = ROOT.resolve(module).resolve(output);
        if (Files.isDirectory(classes.resolve("io/biometer"))) {
          dirs.add(classes);
        }
      }
    }
    JavaClasses classes =
        new ClassFileImporter().withImportOption(NOT_THE_FIXTURE).importPaths(dirs);
    // Not vacuous: the internal packages of the registry and the streams app are among them, and
    // so are test classes, the streams app's own and the integration tests here.
    assertThat(classes.stream().map(JavaClass::getPackageName))
        .contains("io.biometer.registry.internal", "io.biometer.streams.internal")
        .noneMatch(p -> p.equals(FIXTURE) || p.startsWith(FIXTURE + "."));
    assertThat(classes.stream().map(JavaClass::getName))
        .as("compiled test classes under %s (build the modules' tests first)", ROOT)
        .contains("io.biometer.streams.DlqProcessingHandlerTest", StreamsAppIT.class.getName());
    EvaluationResult result = INTERNAL_STAYS_INSIDE.evaluate(classes);
    assertThat(result.getFailureReport().getDetails()).isEmpty();
  }

  @Test
  void theRuleCatchesAClassUsingAnotherPackagesInternals() {
    JavaClasses fixture =
        new ClassFileImporter().importPackages(FIXTURE + ".owner", FIXTURE + ".other");
    EvaluationResult result = INTERNAL_STAYS_INSIDE.evaluate(fixture);
    assertThat(result.getFailureReport().getDetails())
        .singleElement()
        .asString()
        .contains("io.biometer.it.fixture.other.Intruder")
        .contains("io.biometer.it.fixture.owner.internal.Hidden");
  }

  /** The modules of the parent POM, in its order. */
  static List<String> modules() throws IOException {
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    assertThat(out).as("modules in %s", ROOT.resolve("pom.xml")).isNotEmpty();
    return out;
  }

  private static ArchCondition<JavaClass> onlyUseInternalPackagesOfTheirOwnPackage() {
    return new ArchCondition<>("only use internal packages of their own package") {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        for (Dependency d : item.getDirectDependenciesFromSelf()) {
          String target = d.getTargetClass().getPackageName();
          int at = internalAt(target);
          if (at < 0) {
            continue;
          }
          String owner = target.substring(0, at);
          String source = item.getPackageName();
          if (!(source.equals(owner) || source.startsWith(owner + "."))) {
            events.add(
                SimpleConditionEvent.violated(
                    item,
                    item.getName()
                        + " uses "
                        + d.getTargetClass().getName()
                        + ", internal to "
                        + owner
                        + " ("
                        + d.getSourceCodeLocation()
                        + ")"));
          }
        }
      }
    };
  }

  /** Where ".internal" starts in a package name that has it as a segment, else -1. */
  static int internalAt(String pkg) {
    Matcher m = Pattern.compile("\\.internal(\\.|$)").matcher(pkg);
    return m.find() ? m.start() : -1;
  }
}
