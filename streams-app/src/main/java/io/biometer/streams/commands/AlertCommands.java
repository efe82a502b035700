package io.biometer.streams.commands;

import io.biometer.Topics;
import io.biometer.avro.Alert;
import io.biometer.avro.DeviceCommand;
import io.biometer.streams.PipelineMetrics;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The command-rules step: turns the alert transitions the alerting steps write into {@link
 * DeviceCommand}s on {@value Topics#COMMANDS}, keyed by the target device id, one per transition
 * and {@link CommandRule} that acts on it. It follows the alerting processors inside the same
 * sub-topologies, so under exactly-once an alert and its commands are written in one transaction.
 * Stateless: a command depends on its alert alone (its id too), so nothing is to be rolled back.
 * Each command keeps its alert's record timestamp.
 */
public final class AlertCommands {

  private AlertCommands() {}

  /**
   * Adds a processor {@code name} behind {@code parents} (processors that forward alerts) and a
   * sink {@code name + "-sink"} to {@value Topics#COMMANDS}; nothing if {@code rules} is empty.
   * Parents of different sub-topologies need a call each: one node behind both would merge them.
   */
  public static void apply(
      Topology topology,
      String name,
      List<CommandRule> rules,
      Serializer<DeviceCommand> commands,
      PipelineMetrics metrics,
      String... parents) {
    if (rules.isEmpty()) {
      return;
    }
    topology.addProcessor(name, () -> new AlertCommandsProcessor(rules, metrics), parents);
    topology.addSink(name + "-sink", Topics.COMMANDS, Serdes.String().serializer(), commands, name);
  }

  private static final class AlertCommandsProcessor
      implements Processor<String, Alert, String, DeviceCommand> {
    private final List<CommandRule> rules;
    private final PipelineMetrics metrics;
    private ProcessorContext<String, DeviceCommand> context;

    AlertCommandsProcessor(List<CommandRule> rules, PipelineMetrics metrics) {
      this.rules = rules;
      this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, DeviceCommand> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, Alert> record) {
      Alert alert = record.value();
      if (alert == null) {
        return;
      }
      for (CommandRule rule : rules) {
        if (!rule.watches(alert)) {
          continue;
        }
        if (alert.getLate()) {
          metrics.commandSkipped(rule.name(), "late");
          continue;
        }
        Optional<DeviceCommand> command = rule.commandFor(alert);
        if (command.isPresent()) {
          DeviceCommand c = command.get();
          metrics.commandIssued(rule.name(), alert.getState());
          context.forward(new Record<>(c.getDeviceId(), c, record.timestamp()));
        }
      }
    }
  }
}
