package io.biometer.ingress.admin;

import io.biometer.avro.CommandGrant;
import io.biometer.avro.CommandResponse;
import io.biometer.avro.CommandStatus;
import io.biometer.avro.DeviceCommand;
import io.biometer.ingress.IngressConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./biometer devices command|grant|ungrant|grants}: commands by hand, the access map. */
final class CommandsCli {

  private CommandsCli() {}

  static CommandAdmin open(DevicesApp.Connection c) {
    IngressConfig config = IngressConfig.load(null, System.getenv(), Map.of());
    return new CommandAdmin(c.bootstrap(config), c.registry(config), c.kafka(config));
  }

  static String describe(CommandResponse r) {
    StringBuilder b =
        new StringBuilder().append(r.getStatus()).append(" at ").append(r.getRespondedAt());
    if (!r.getDetails().isEmpty()) {
      b.append(' ').append(r.getDetails());
    }
    if (r.getReason() != null) {
      b.append(": ").append(r.getReason());
    }
    return b.toString();
  }

  @Command(
      name = "command",
      mixinStandardHelpOptions = true,
      description =
          "Send a command to a device through the gateway and print its responses (DELIVERED,"
              + " then the device's OK or FAILED; or EXPIRED, FORBIDDEN, UNKNOWN_DEVICE,"
              + " MALFORMED). Exit 0 on OK, 1 otherwise.")
  static final class Send implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DevicesApp.Connection connection;

    @Parameters(index = "0", paramLabel = "DEVICE")
    String deviceId;

    @Parameters(index = "1", paramLabel = "NAME", description = "e.g. set_power")
    String name;

    @Parameters(index = "2..*", paramLabel = "KEY=VALUE", description = "Arguments, e.g. state=on.")
    List<String> arguments = List.of();

    @Option(
        names = "--as",
        description = "The issuing principal, as granted in the access map. Default: user:$USER.")
    String issuedBy;

    @Option(
        names = "--ttl",
        defaultValue = "PT60S",
        description =
            "How long the command may wait for its device, ISO-8601. Default: ${DEFAULT-VALUE}.")
    String ttl;

    @Option(
        names = "--wait",
        description = "How long to wait for the final response. Default: the ttl plus 10 s.")
    String wait;

    @Option(names = "--cause", description = "Why, for the audit trail.")
    String cause;

    @Override
    public Integer call() throws Exception {
      Map<String, String> args = new LinkedHashMap<>();
      for (String a : arguments) {
        int eq = a.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("an argument is KEY=VALUE, got '" + a + "'");
        }
        args.put(a.substring(0, eq), a.substring(eq + 1));
      }
      Duration life = DevicesApp.duration("--ttl", ttl);
      Duration patience = wait == null ? life.plusSeconds(10) : DevicesApp.duration("--wait", wait);
      String principal =
          issuedBy != null ? issuedBy : "user:" + System.getProperty("user.name", "unknown");
      CommandAdmin.checkPrincipal(principal);
      DeviceCommand c = CommandAdmin.command(deviceId, name, args, principal, life, cause);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "command %s: %s %s to %s as %s, expires %s%n",
          c.getCommandId(), name, args, deviceId, principal, c.getExpiresAt());
      out.flush();
      try (CommandAdmin admin = open(connection)) {
        CommandResponse last =
            admin.sendAndWait(
                c,
                patience,
                r -> {
                  out.println("  " + describe(r));
                  out.flush();
                });
        if (last == null) {
          out.println("  no final response within " + patience);
          return 1;
        }
        return last.getStatus() == CommandStatus.OK ? 0 : 1;
      }
    }
  }

  @Command(
      name = "grant",
      mixinStandardHelpOptions = true,
      description =
          "Let a principal (user:<name>, rule:<name>, device:<id>) command devices; replaces what"
              + " it had.")
  static final class Grant implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DevicesApp.Connection connection;

    @Parameters(index = "0", paramLabel = "PRINCIPAL")
    String principal;

    @Parameters(
        index = "1..*",
        arity = "1..*",
        paramLabel = "DEVICE",
        description = "Device ids or patterns, '*' for any run of characters: '*.fan'.")
    List<String> devices;

    @Option(
        names = "--commands",
        split = ",",
        description = "Command names or patterns it may send. Default: every command.")
    List<String> commands = List.of();

    @Option(names = "--note", description = "Why, for people.")
    String note;

    @Override
    public Integer call() throws Exception {
      CommandAdmin.checkPrincipal(principal);
      try (CommandAdmin admin = open(connection)) {
        CommandGrant g = admin.grant(principal, devices, commands, note);
        spec.commandLine()
            .getOut()
            .printf(
                "granted %s: devices %s, commands %s%n",
                g.getPrincipal(), g.getDevices(), g.getCommands());
      }
      return 0;
    }
  }

  @Command(
      name = "ungrant",
      mixinStandardHelpOptions = true,
      description =
          "Take every right of a principal away; commands of it still waiting are refused.")
  static final class Ungrant implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DevicesApp.Connection connection;

    @Parameters(index = "0", paramLabel = "PRINCIPAL")
    String principal;

    @Override
    public Integer call() throws Exception {
      CommandAdmin.checkPrincipal(principal);
      try (CommandAdmin admin = open(connection)) {
        admin.ungrant(principal);
        spec.commandLine().getOut().printf("ungranted %s%n", principal);
      }
      return 0;
    }
  }

  @Command(
      name = "grants",
      mixinStandardHelpOptions = true,
      description = "The access map: who may command which devices.")
  static final class Grants implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DevicesApp.Connection connection;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (CommandAdmin admin = open(connection)) {
        Map<String, CommandGrant> all = admin.grants();
        out.printf("%-24s %-32s %-24s %s%n", "PRINCIPAL", "DEVICES", "COMMANDS", "NOTE");
        all.forEach(
            (p, g) ->
                out.printf(
                    "%-24s %-32s %-24s %s%n",
                    p,
                    String.join(",", g.getDevices().stream().map(CharSequence::toString).toList()),
                    String.join(",", g.getCommands().stream().map(CharSequence::toString).toList()),
                    g.getNote() == null ? "" : g.getNote()));
        out.println(all.size() + " principals");
      }
      return 0;
    }
  }
}
