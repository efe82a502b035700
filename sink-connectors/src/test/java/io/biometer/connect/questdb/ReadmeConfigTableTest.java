package io.biometer.connect.questdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.junit.jupiter.api.Test;

/**
 * The README's table of the sink's keys is the {@link QuestDbSinkConfig#CONFIG_DEF} rendered, so
 * the documentation cannot drift from the code: change a key or its doc and this test prints the
 * table to paste.
 */
class ReadmeConfigTableTest {

  static final String START = "<!-- sink-config:start -->";
  static final String END = "<!-- sink-config:end -->";

  /** The table in definition order: key, type, default, doc. */
  static String render(ConfigDef def) {
    StringBuilder b = new StringBuilder();
    b.append("| key | type | default | doc |\n");
    b.append("|---|---|---|---|\n");
    for (ConfigKey k : def.configKeys().values()) {
      b.append("| `")
          .append(k.name)
          .append("` | ")
          .append(k.type.name().toLowerCase(java.util.Locale.ROOT))
          .append(" | ")
          .append(defaultOf(k))
          .append(" | ")
          .append(cell(k.documentation))
          .append(" |\n");
    }
    return b.toString();
  }

  private static String defaultOf(ConfigKey k) {
    if (!k.hasDefault()) {
      return "(required)";
    }
    Object v = k.defaultValue;
    if (v instanceof List<?> list) {
      v = String.join(",", list.stream().map(String::valueOf).toList());
    }
    String s = String.valueOf(v);
    return s.isEmpty() ? "(empty)" : "`" + s + "`";
  }

  /** A doc as one table cell: a '|' would end the cell, a '<' could open an HTML tag. */
  private static String cell(String doc) {
    return doc.replace("|", "\\|").replace("<", "\\<").replace("\n", " ");
  }

  @Test
  void theReadmeHoldsTheConfigTableOfTheCode() throws Exception {
    String expected = render(QuestDbSinkConfig.CONFIG_DEF);
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertThat(start)
        .as("README.md has the markers %s and %s", START, END)
        .isNotNegative()
        .isLessThan(end);
    String actual = readme.substring(start + START.length(), end);
    assertThat(actual)
        .as(
            "the table between %s and %s in sink-connectors/README.md; paste this one:%n%s",
            START, END, expected)
        .isEqualTo("\n" + expected);
  }

  @Test
  void everyKeyIsInTheTable() {
    String table = render(QuestDbSinkConfig.CONFIG_DEF);
    assertThat(table.lines().count() - 2).isEqualTo(QuestDbSinkConfig.CONFIG_DEF.names().size());
    assertThat(table)
        .contains("| `client.conf.string` | password | (required) | QuestDB's ILP client")
        .contains("| `table` | string | `${topic}` | Target table.")
        .contains("| `symbols` | list | (empty) |")
        .contains("| `allowed.lag` | long | `500` |");
  }
}
