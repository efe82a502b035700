package io.biometer.ingress.admin;

import io.biometer.avro.CredentialSecret;
import io.biometer.avro.CredentialType;
import io.biometer.avro.Device;
import io.biometer.avro.DeviceCredential;
import io.biometer.avro.DeviceKind;
import io.biometer.avro.SensorType;
import io.biometer.ingress.IngressConfig;
import io.biometer.ingress.auth.Directory;
import io.biometer.ingress.auth.PasswordHash;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./biometer devices add|rotate|revoke|list|reset}: devices and their credentials; {@code
 * command|grant|ungrant|grants}: commands by hand and the access map (docs/commands.md). Exit
 * codes: 0 done, 1 Kafka or the registry could not be reached, 2 a mistake in the arguments.
 */
@Command(
    name = "biometer devices",
    mixinStandardHelpOptions = true,
    version = "biometer devices 0.1.0",
    description =
        "Register devices, manage their gateway credentials, send them commands and say who may.",
    subcommands = {
      DevicesApp.Add.class,
      DevicesApp.Rotate.class,
      DevicesApp.Revoke.class,
      DevicesApp.ListCredentials.class,
      DevicesApp.Reset.class,
      CommandsCli.Send.class,
      CommandsCli.Grant.class,
      CommandsCli.Ungrant.class,
      CommandsCli.Grants.class
    })
public final class DevicesApp implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(),
        "missing command: add, rotate, revoke, list, reset, command, grant, ungrant or grants"
            + " (see --help)");
  }

  /** Where Kafka and the registry are: the gateway's own keys and environment variables. */
  static final class Connection {
    @Option(
        names = "--bootstrap-servers",
        description = "Kafka. Default: the gateway's bootstrap.servers (127.0.0.1:9092).")
    String bootstrap;

    @Option(
        names = "--schema-registry-url",
        description = "Schema registry. Default: the gateway's (http://127.0.0.1:8081).")
    String registry;

    @Option(
        names = "--command-config",
        paramLabel = "FILE",
        description =
            "Kafka client settings (and the registry's basic.auth.* keys), as Kafka's tools take"
                + " them: in secure mode <data.dir>/security/admin.properties. Default: none.")
    java.nio.file.Path commandConfig;

    /**
     * The gateway's kafka.* settings, then the --command-config file's (without its {@code
     * bootstrap.servers} and {@code schema.registry.url}, which {@link #bootstrap(IngressConfig)}
     * and {@link #registry(IngressConfig)} take).
     */
    Map<String, Object> kafka(IngressConfig c) {
      Map<String, Object> k = new java.util.HashMap<>(c.kafka());
      commandConfig().forEach(k::put);
      k.remove("bootstrap.servers");
      k.remove("schema.registry.url");
      return k;
    }

    private Map<String, String> commandConfigValues;

    /** The --command-config file's settings, read once. */
    private Map<String, String> commandConfig() {
      if (commandConfigValues != null) {
        return commandConfigValues;
      }
      Map<String, String> m = new java.util.HashMap<>();
      if (commandConfig != null) {
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newInputStream(commandConfig)) {
          p.load(in);
        } catch (java.io.IOException e) {
          throw new Failure("cannot read --command-config " + commandConfig + ": " + e);
        }
        p.stringPropertyNames().forEach(n -> m.put(n, p.getProperty(n)));
      }
      commandConfigValues = m;
      return m;
    }

    /** --bootstrap-servers, else the --command-config file's, else the gateway's. */
    String bootstrap(IngressConfig c) {
      return bootstrap != null
          ? bootstrap
          : commandConfig()
              .getOrDefault(
                  "bootstrap.servers", c.getString(IngressConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** --schema-registry-url, else the --command-config file's, else the gateway's. */
    String registry(IngressConfig c) {
      return registry != null
          ? registry
          : commandConfig()
              .getOrDefault(
                  "schema.registry.url", c.getString(IngressConfig.SCHEMA_REGISTRY_URL_CONFIG));
    }

    /** What to try when Kafka does not answer: a secured broker wants a login. */
    String hint() {
      return commandConfig == null
          ? " (a local run with security.enabled=true needs --command-config"
              + " <data.dir>/security/admin.properties)"
          : "";
    }

    CredentialAdmin open() throws Exception {
      IngressConfig c = IngressConfig.load(null, System.getenv(), Map.of());
      try {
        return new CredentialAdmin(bootstrap(c), registry(c), kafka(c), Duration.ofSeconds(30));
      } catch (Exception e) {
        throw new Failure(e.getMessage() + hint());
      }
    }
  }

  /** The credential a command acts on: its auth id and type. */
  static final class CredentialRef {
    @Parameters(index = "0", paramLabel = "AUTH-ID")
    String authId;

    @Option(
        names = "--type",
        defaultValue = "hashed-password",
        description = "hashed-password, psk or x509. Default: ${DEFAULT-VALUE}.")
    String type;

    CredentialType type() {
      return DevicesApp.type(type);
    }
  }

  /** A user-facing failure: one line, exit 1. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  static CredentialType type(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "hashed-password", "password" -> CredentialType.HASHED_PASSWORD;
      case "psk" -> CredentialType.PSK;
      case "x509", "x509-cert" -> CredentialType.X509;
      default ->
          throw new IllegalArgumentException(
              "--type must be hashed-password, psk or x509, got " + name);
    };
  }

  /** {@code value} as a duration, or null; a wrong one is named with its option. */
  static Duration duration(String option, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Duration.parse(value);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + " must be an ISO-8601 duration such as P365D or PT12H, got '" + value + "'");
    }
  }

  static <E extends Enum<E>> E enumOf(Class<E> type, String option, String value) {
    if (value == null) {
      return null;
    }
    try {
      E e = Enum.valueOf(type, value.toUpperCase(Locale.ROOT).replace('-', '_'));
      if (e.name().equals("UNKNOWN")) {
        throw new IllegalArgumentException("UNKNOWN");
      }
      return e;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          option
              + " must be one of "
              + java.util.Arrays.stream(type.getEnumConstants())
                  .filter(c -> !c.name().equals("UNKNOWN"))
                  .map(
                      c ->
                          type == SensorType.class
                              ? c.name()
                              : c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                  .collect(java.util.stream.Collectors.joining(", "))
              + ", got "
              + value);
    }
  }

  static void printIssued(PrintWriter out, CredentialAdmin.Issued issued, String verb) {
    DeviceCredential c = issued.credential();
    CredentialSecret s = c.getSecrets().get(c.getSecrets().size() - 1);
    out.printf(
        "%s %s for device %s: secret %s valid %s%n",
        verb,
        Directory.credentialKey(c.getType(), c.getAuthId()),
        c.getDeviceId(),
        s.getId(),
        window(s));
    if (issued.secret() != null) {
      out.println(
          (c.getType() == CredentialType.PSK ? "key (base64)" : "password")
              + ", shown this once; store it on the device: "
              + issued.secret());
    }
  }

  static String window(CredentialSecret s) {
    return "from "
        + (s.getNotBefore() == null ? "always" : s.getNotBefore())
        + " until "
        + (s.getNotAfter() == null ? "revoked" : s.getNotAfter());
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Register a device (with --kind) and issue it a credential; the secret is printed once.")
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Parameters(index = "0", paramLabel = "DEVICE", description = "The device id.")
    String deviceId;

    @Option(
        names = "--kind",
        description = "body-sensor, sink, soil-meter or actuator: (re)registers it.")
    String kind;

    @Option(names = "--sensor-type", description = "e.g. ECG, BLOOD_PRESSURE, SOIL_METER.")
    String sensorType;

    @Option(names = "--owner", description = "Patient id (sensors, sinks) or site id (meters).")
    String owner;

    @Option(
        names = "--via",
        split = ",",
        description = "For a sink: the sensors it may relay for, comma-separated.")
    List<String> via = List.of();

    @Option(
        names = "--type",
        defaultValue = "hashed-password",
        description = "hashed-password, psk or x509. Default: ${DEFAULT-VALUE}.")
    String type;

    @Option(
        names = "--auth-id",
        description =
            "The identity to log in with; for x509 the certificate's subject DN."
                + " Default: the device id.")
    String authId;

    @Option(
        names = "--valid-for",
        description =
            "How long the secret is valid, ISO-8601 (e.g. P365D). Default: until" + " revoked.")
    String validFor;

    @Option(
        names = "--iterations",
        description = "PBKDF2 iterations of a password hash. Default: ${DEFAULT-VALUE}.")
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    @Override
    public Integer call() throws Exception {
      CredentialType t = type(type);
      if (t == CredentialType.X509 && authId == null) {
        throw new IllegalArgumentException("--auth-id is the certificate's subject DN for x509");
      }
      CredentialAdmin.AddRequest r =
          new CredentialAdmin.AddRequest(
              deviceId,
              enumOf(DeviceKind.class, "--kind", kind),
              enumOf(SensorType.class, "--sensor-type", sensorType),
              owner,
              via,
              t,
              authId,
              duration("--valid-for", validFor),
              iterations);
      try (CredentialAdmin admin = connection.open()) {
        printIssued(spec.commandLine().getOut(), admin.add(r), "added");
      }
      return 0;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description =
          "Issue a new secret valid from now; the old ones end after --overlap, so the device can"
              + " switch without downtime. The new secret is printed once.")
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Mixin CredentialRef credential;

    @Option(
        names = "--overlap",
        defaultValue = "P1D",
        description = "How long the old secrets stay valid, ISO-8601. Default: ${DEFAULT-VALUE}.")
    String overlap;

    @Option(
        names = "--valid-for",
        description = "Validity of the new secret. Default: until revoked.")
    String validFor;

    @Option(names = "--iterations", description = "PBKDF2 iterations. Default: ${DEFAULT-VALUE}.")
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    @Override
    public Integer call() throws Exception {
      try (CredentialAdmin admin = connection.open()) {
        printIssued(
            spec.commandLine().getOut(),
            admin.rotate(
                credential.type(),
                credential.authId,
                duration("--overlap", overlap),
                duration("--valid-for", validFor),
                iterations),
            "rotated");
      }
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Disable a credential: all its secrets stop working at once.")
  static final class Revoke implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Mixin CredentialRef credential;

    @Override
    public Integer call() throws Exception {
      try (CredentialAdmin admin = connection.open()) {
        DeviceCredential c = admin.revoke(credential.type(), credential.authId);
        spec.commandLine()
            .getOut()
            .printf(
                "revoked %s of device %s%n",
                Directory.credentialKey(c.getType(), c.getAuthId()), c.getDeviceId());
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Every credential: device, type, auth id, state and secret windows; never a" + " secret.")
  static final class ListCredentials implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (CredentialAdmin admin = connection.open()) {
        List<DeviceCredential> all = admin.list();
        out.printf("%-24s %-16s %-32s %-8s %s%n", "DEVICE", "TYPE", "AUTH ID", "STATE", "SECRETS");
        for (DeviceCredential c : all) {
          Device d = admin.device(c.getDeviceId());
          StringBuilder secrets = new StringBuilder();
          for (CredentialSecret s : c.getSecrets()) {
            secrets.append(secrets.length() == 0 ? "" : "; ").append(s.getId()).append(' ');
            secrets.append(window(s));
          }
          out.printf(
              "%-24s %-16s %-32s %-8s %s%n",
              c.getDeviceId() + (d == null ? " (unregistered)" : ""),
              Directory.credentialKey(c.getType(), "").replace("/", ""),
              c.getAuthId(),
              c.getEnabled() ? "enabled" : "revoked",
              secrets);
        }
        out.println(all.size() + " credentials");
      }
      return 0;
    }
  }

  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description =
          "Forget a device's replay windows, for a device that restarted its sequence counter."
              + " Restart the gateways afterwards: they read the windows at start.")
  static final class Reset implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Parameters(index = "0", paramLabel = "DEVICE")
    String deviceId;

    @Override
    public Integer call() throws Exception {
      try (CredentialAdmin admin = connection.open()) {
        int n = admin.reset(deviceId);
        spec.commandLine().getOut().printf("reset %d replay windows of %s%n", n, deviceId);
      }
      return 0;
    }
  }

  /** Runs with {@code args}; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new DevicesApp());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("biometer devices: " + ex.getMessage());
          err.println("biometer devices: run with --help for the options");
          err.flush();
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          if (ex instanceof Failure
              || ex instanceof IllegalArgumentException
              || ex instanceof java.time.format.DateTimeParseException
              || ex instanceof ConfigException
              || ex instanceof IllegalStateException) {
            err.println("biometer devices: " + ex.getMessage());
            err.flush();
            return ex instanceof IllegalArgumentException
                    || ex instanceof java.time.format.DateTimeParseException
                    || ex instanceof ConfigException
                ? 2
                : 1;
          }
          throw ex;
        });
    return cl.execute(args);
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(args, out, err));
  }
}
