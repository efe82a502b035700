package io.biometer.devstack.security;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./biometer security init|apply|schemas}: the secure mode's material outside the local run,
 * for compose's one-shot services (docker-compose.secure.yml). {@code init} makes (or finds) the
 * local CA, the certificates and the generated passwords ({@link LocalSecurity}) and, with {@code
 * --per-service}, a folder per compose service holding only what that service needs ({@link
 * ServiceFiles}); {@code apply} creates the principals' SCRAM credentials and the ACLs as {@code
 * admin} and, with {@code --registry}, registers every schema; {@code schemas} registers the
 * schemas only. Prints where things are, never a secret. Exit codes: 0 done, 1 Kafka, the registry
 * or the files failed, 2 a mistake in the arguments.
 */
@Command(
    name = "biometer security",
    mixinStandardHelpOptions = true,
    version = "biometer security 0.1.0",
    description = "The secure mode's certificates, passwords, principals, ACLs and schemas.",
    subcommands = {SecurityApp.Init.class, SecurityApp.Apply.class, SecurityApp.Schemas.class})
public final class SecurityApp implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "missing command: init, apply or schemas (see --help)");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line; returns the exit code. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new SecurityApp());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr().println("biometer security: " + e.getMessage());
          return 1;
        });
    return cli.execute(args);
  }

  /** {@code service=name,...}: more host names for the service certificates. */
  static Map<String, List<String>> dnsNames(List<String> entries, CommandLine line) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      String service = eq < 0 ? "" : entry.substring(0, eq).trim();
      String name = eq < 0 ? "" : entry.substring(eq + 1).trim();
      if (service.isEmpty() || name.isEmpty()) {
        throw new ParameterException(
            line, "--dns takes service=name entries, e.g. kafka=kafka; got '" + entry + "'");
      }
      if (!LocalSecurity.SERVICES.contains(service)) {
        throw new ParameterException(
            line,
            "--dns names service '"
                + service
                + "', which has no certificate; the services are "
                + LocalSecurity.SERVICES);
      }
      m.computeIfAbsent(service, k -> new ArrayList<>()).add(name);
    }
    return m;
  }

  /** The material in {@code dir}, which {@code init} must have made. */
  static LocalSecurity existing(Path dir, CommandLine line) throws IOException {
    if (!Files.exists(dir.resolve("credentials.properties"))) {
      throw new ParameterException(
          line,
          "no credentials.properties in "
              + dir
              + ": run biometer security init --dir "
              + dir
              + " first");
    }
    return LocalSecurity.ensure(dir);
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Make the local CA, a certificate per service, a password per principal (or find them"
              + " there from an earlier init); print where they are, never a secret.")
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", required = true, description = "The folder (made 0700; files 0600).")
    Path dir;

    @Option(
        names = "--dns",
        split = ",",
        paramLabel = "service=name",
        description =
            "More host names in a service's certificate (besides localhost and 127.0.0.1), e.g."
                + " kafka=kafka,ingress=ingress. Services: kafka, registry, connect, streams,"
                + " ingress. Only a first init issues certificates.")
    List<String> dns = new ArrayList<>();

    @Option(
        names = "--per-service",
        description =
            "Also write DIR/<service>/ for each compose service, holding only what it needs"
                + " (docker-compose.secure.yml).")
    boolean perService;

    @Option(
        names = "--owner",
        split = ",",
        paramLabel = "service=uid",
        description =
            "With --per-service: the user id that owns a service's folder (it runs as that user;"
                + " needs root), e.g. grafana=472.")
    List<String> owners = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      CommandLine line = spec.commandLine();
      Map<String, List<String>> names = dnsNames(dns, line);
      Map<String, Integer> uids = ServiceFiles.owners(owners, line);
      LocalSecurity s = LocalSecurity.ensure(dir, names);
      PrintWriter out = line.getOut();
      out.println(
          "biometer security: "
              + (s.created() ? "made" : "found (unchanged)")
              + " the secure mode's material in "
              + s.dir());
      if (!s.created() && !names.isEmpty()) {
        out.println(
            "  the certificates were issued by the first init; their host names stay (move the"
                + " folder away to issue new ones)");
      }
      out.println("  local CA         " + s.caPem() + " (PEM), " + s.truststore() + " (PKCS12)");
      for (String service : LocalSecurity.SERVICES) {
        out.println(
            "  "
                + String.format("%-16s", service + " key")
                + " "
                + s.keystore(service)
                + " (SANs localhost, 127.0.0.1"
                + names.getOrDefault(service, List.of()).stream()
                    .map(n -> ", " + n)
                    .reduce("", String::concat)
                + ")");
      }
      out.println(
          "  passwords        "
              + s.credentialsFile()
              + " (principals "
              + String.join(", ", LocalSecurity.PRINCIPALS)
              + "; QuestDB, Connect REST; not printed)");
      out.println("  admin client     " + s.adminProperties() + " (kafka-*.sh --command-config)");
      if (perService) {
        for (String service : ServiceFiles.write(s, uids)) {
          out.println(
              "  " + String.format("%-16s", service) + " " + s.dir().resolve(service) + "/");
        }
      }
      return 0;
    }
  }

  /** Where Kafka and the registry are, and the material. */
  abstract static class Target {
    @Spec CommandSpec spec;

    @Option(names = "--dir", required = true, description = "The folder init made.")
    Path dir;

    int registerSchemas(LocalSecurity s, String url) throws IOException {
      int n = SchemaDeploy.registerAll(s, url);
      spec.commandLine()
          .getOut()
          .println("biometer security: registered " + n + " value schemas at " + url + " as admin");
      return 0;
    }
  }

  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description =
          "As admin: the SCRAM credential of every other principal and the ACLs of acls.txt;"
              + " with --registry, every value schema too.")
  static final class Apply extends Target implements Callable<Integer> {
    @Option(
        names = "--bootstrap",
        required = true,
        paramLabel = "HOST:PORT",
        description = "Kafka's SASL_SSL listener.")
    String bootstrap;

    @Option(names = "--registry", paramLabel = "URL", description = "The schema registry.")
    String registry;

    @Override
    public Integer call() throws Exception {
      LocalSecurity s = existing(dir, spec.commandLine());
      Properties props = new Properties();
      props.putAll(s.kafkaClient("admin"));
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      List<KafkaAcls.Rule> rules = KafkaAcls.defaults();
      try (Admin admin = Admin.create(props)) {
        KafkaAcls.apply(admin, s, rules);
      }
      spec.commandLine()
          .getOut()
          .println(
              "biometer security: at "
                  + bootstrap
                  + " as admin: SCRAM credentials of "
                  + LocalSecurity.PRINCIPALS.stream().filter(p -> !p.equals("admin")).toList()
                  + ", "
                  + rules.size()
                  + " ACL rules of "
                  + KafkaAcls.RESOURCE);
      return registry == null ? 0 : registerSchemas(s, registry);
    }
  }

  @Command(
      name = "schemas",
      mixinStandardHelpOptions = true,
      description = "As admin: register every value schema (deploy time; the apps only read).")
  static final class Schemas extends Target implements Callable<Integer> {
    @Option(
        names = "--registry",
        required = true,
        paramLabel = "URL",
        description = "The registry.")
    String registry;

    @Override
    public Integer call() throws Exception {
      return registerSchemas(existing(dir, spec.commandLine()), registry);
    }
  }
}
