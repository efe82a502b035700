package io.biometer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.biometer.devstack.security.KafkaAcls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/security.md prints the ACL file the secure mode applies as a table, row for rule: a rule
 * added to the file without the docs (or the other way round) fails here.
 */
class SecurityDocsTest {

  @Test
  void theDocsTableIsTheAclFile() throws Exception {
    String doc =
        Files.readString(Path.of("..").toAbsolutePath().normalize().resolve("docs/security.md"));
    List<KafkaAcls.Rule> rules = KafkaAcls.defaults();
    assertThat(rules).hasSizeGreaterThan(30);
    for (KafkaAcls.Rule r : rules) {
      String ops = String.join(",", r.operations().stream().map(Enum::name).toList());
      assertThat(doc)
          .as("docs/security.md row for acls.txt line %d", r.line())
          .contains(
              "| "
                  + r.principal()
                  + " | "
                  + r.resource()
                  + " | "
                  + r.pattern()
                  + " | `"
                  + r.name()
                  + "` | "
                  + ops
                  + " |");
    }
    long tableRows =
        doc.lines()
            .filter(
                l ->
                    l.matches(
                        "\\| (admin|ingress|simulator|streams|connect|registry) \\| [A-Z_]+ \\| (LITERAL|PREFIXED) \\|.*"))
            .count();
    assertThat(tableRows).as("ACL rows in docs/security.md").isEqualTo(rules.size());
  }
}
