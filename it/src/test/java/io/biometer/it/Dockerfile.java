package io.biometer.it;

import io.biometer.devstack.*;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile as {@link ComposeFileTest} reads it: its stages and their instructions, with
 * continued lines joined and comment lines dropped (as Docker does).
 */
record Dockerfile(Path path, List<Dockerfile.Stage> stages) {

  /** One instruction: its keyword in upper case and the rest of the line. */
  record Instruction(String keyword, String args) {}

  /** A build stage: {@code FROM image [AS name]} and what follows it. */
  record Stage(String image, String name, List<Instruction> instructions) {

    /** The arguments of the stage's last {@code keyword} instruction, or null if it has none. */
    String last(String keyword) {
      String args = null;
      for (Instruction i : instructions) {
        if (i.keyword().equals(keyword)) {
          args = i.args();
        }
      }
      return args;
    }
  }

  private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  static Dockerfile read(Path path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> logical = new ArrayList<>();
    StringBuilder current = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      String part = continues ? line.substring(0, line.length() - 1).strip() : line;
      current = current == null ? new StringBuilder(part) : current.append(' ').append(part);
      if (!continues) {
        logical.add(current.toString());
        current = null;
      }
    }
    if (current != null) {
      logical.add(current.toString());
    }
    List<Stage> stages = new ArrayList<>();
    String image = null;
    String name = null;
    List<Instruction> instructions = null;
    for (String l : logical) {
      String[] kv = l.split("\\s+", 2);
      String keyword = kv[0].toUpperCase(Locale.ROOT);
      String args = kv.length > 1 ? kv[1].strip() : "";
      if (keyword.equals("FROM")) {
        if (instructions != null) {
          stages.add(new Stage(image, name, List.copyOf(instructions)));
        }
        List<String> words = new ArrayList<>(List.of(args.split("\\s+")));
        words.removeIf(w -> w.startsWith("--"));
        image = words.get(0);
        name = words.size() >= 3 && words.get(1).equalsIgnoreCase("AS") ? words.get(2) : null;
        instructions = new ArrayList<>();
      } else if (instructions != null) {
        instructions.add(new Instruction(keyword, args));
      }
    }
    if (instructions != null) {
      stages.add(new Stage(image, name, List.copyOf(instructions)));
    }
    if (stages.isEmpty()) {
      throw new IllegalStateException(path + " has no FROM");
    }
    return new Dockerfile(path, List.copyOf(stages));
  }

  /** The images the stages start from, less earlier stages of this file and {@code scratch}. */
  List<String> externalImages() {
    Set<String> stageNames = new HashSet<>();
    List<String> images = new ArrayList<>();
    for (Stage s : stages) {
      if (!stageNames.contains(s.image()) && !s.image().equals("scratch")) {
        images.add(s.image());
      }
      if (s.name() != null) {
        stageNames.add(s.name());
      }
    }
    return images;
  }

  /**
   * Every {@code ./mvnw ... package} command that a stage before the last one runs, as its words.
   */
  List<List<String>> mavenPackageCommands() {
    List<List<String>> commands = new ArrayList<>();
    for (Stage s : stages.subList(0, stages.size() - 1)) {
      for (Instruction i : s.instructions()) {
        if (!i.keyword().equals("RUN")) {
          continue;
        }
        for (String command : i.args().split("&&|\\|\\||;")) {
          List<String> words = List.of(command.strip().split("\\s+"));
          if (!words.isEmpty() && words.get(0).equals("./mvnw") && words.contains("package")) {
            commands.add(words);
          }
        }
      }
    }
    return commands;
  }

  /** The sources of every COPY and ADD that reads the build context (not {@code --from}). */
  List<List<String>> copiedFromContext() {
    List<List<String>> copies = new ArrayList<>();
    for (Stage s : stages) {
      for (Instruction i : s.instructions()) {
        if (!i.keyword().equals("COPY") && !i.keyword().equals("ADD")) {
          continue;
        }
        List<String> words = new ArrayList<>();
        if (i.args().startsWith("[")) {
          Matcher m = QUOTED.matcher(i.args());
          while (m.find()) {
            words.add(m.group(1));
          }
        } else {
          words.addAll(List.of(i.args().split("\\s+")));
        }
        if (words.stream().anyMatch(w -> w.startsWith("--from"))) {
          continue;
        }
        words.removeIf(w -> w.startsWith("--"));
        if (words.size() >= 2) {
          copies.add(List.copyOf(words.subList(0, words.size() - 1)));
        }
      }
    }
    return copies;
  }
}
