package io.biometer.devstack.security;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The secure mode's ACLs as data: one ALLOW rule per line, {@code principal resource pattern name
 * operations} ({@code operations} comma-separated), {@code #} comments. The file shipped with the
 * local stack is {@link #RESOURCE}; {@link #apply} creates the principals' SCRAM credentials and
 * the ACLs.
 */
public final class KafkaAcls {

  /** The ACL file on the class path. */
  public static final String RESOURCE = "/io/biometer/devstack/security/acls.txt";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** One line of the file. */
  public record Rule(
      String principal,
      ResourceType resource,
      PatternType pattern,
      String name,
      List<AclOperation> operations,
      int line) {

    /** The Kafka ACL bindings of this rule, one per operation, for any host. */
    public List<AclBinding> bindings() {
      List<AclBinding> b = new ArrayList<>();
      for (AclOperation op : operations) {
        b.add(
            new AclBinding(
                new ResourcePattern(resource, name, pattern),
                new AccessControlEntry("User:" + principal, "*", op, AclPermissionType.ALLOW)));
      }
      return b;
    }
  }

  private KafkaAcls() {}

  /** The rules of the shipped file. */
  public static List<Rule> defaults() {
    try (InputStream in = KafkaAcls.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      return read(new InputStreamReader(in, StandardCharsets.UTF_8), RESOURCE);
    } catch (IOException e) {
      throw new IllegalStateException("reading " + RESOURCE + " failed: " + e, e);
    }
  }

  /**
   * Parses an ACL file.
   *
   * @param source the file's name, for errors
   * @throws IllegalArgumentException naming the line and what is wrong with it
   */
  public static List<Rule> read(Reader reader, String source) throws IOException {
    List<Rule> rules = new ArrayList<>();
    BufferedReader r = new BufferedReader(reader);
    String text;
    int n = 0;
    while ((text = r.readLine()) != null) {
      n++;
      String line = text.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length != 5) {
        throw new IllegalArgumentException(
            source
                + " line "
                + n
                + ": expected 5 fields (principal resource pattern name operations), got "
                + f.length
                + ": '"
                + line
                + "'");
      }
      if (!LocalSecurity.PRINCIPALS.contains(f[0])) {
        throw bad(source, n, "principal", f[0], LocalSecurity.PRINCIPALS.toString());
      }
      ResourceType resource = parse(ResourceType.class, f[1], source, n, "resource");
      if (resource == ResourceType.ANY || resource == ResourceType.UNKNOWN) {
        throw bad(source, n, "resource", f[1], "TOPIC, GROUP, TRANSACTIONAL_ID, CLUSTER");
      }
      PatternType pattern = parse(PatternType.class, f[2], source, n, "pattern");
      if (pattern != PatternType.LITERAL && pattern != PatternType.PREFIXED) {
        throw bad(source, n, "pattern", f[2], "LITERAL, PREFIXED");
      }
      Set<AclOperation> ops = new LinkedHashSet<>();
      for (String op : f[4].split(",")) {
        AclOperation o = parse(AclOperation.class, op, source, n, "operation");
        if (o == AclOperation.ANY || o == AclOperation.UNKNOWN) {
          throw bad(source, n, "operation", op, "READ, WRITE, DESCRIBE, CREATE, ALL, ...");
        }
        ops.add(o);
      }
      rules.add(new Rule(f[0], resource, pattern, f[3], List.copyOf(ops), n));
    }
    return rules;
  }

  private static <E extends Enum<E>> E parse(
      Class<E> type, String value, String source, int line, String what) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw bad(source, line, what, value, java.util.Arrays.toString(type.getEnumConstants()));
    }
  }

  private static IllegalArgumentException bad(
      String source, int line, String what, String value, String allowed) {
    return new IllegalArgumentException(
        source + " line " + line + ": unknown " + what + " '" + value + "'; one of " + allowed);
  }

  /**
   * Creates (or updates) the SCRAM credential of every principal but {@code admin} (made at format)
   * and every ACL of {@code rules}, and waits until the broker knows the credentials.
   */
  public static void apply(Admin admin, LocalSecurity security, List<Rule> rules)
      throws InterruptedException {
    List<UserScramCredentialAlteration> users = new ArrayList<>();
    for (String principal : LocalSecurity.PRINCIPALS) {
      if (!principal.equals("admin")) {
        users.add(
            new UserScramCredentialUpsertion(
                principal,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                security.password(principal)));
      }
    }
    List<AclBinding> bindings = new ArrayList<>();
    rules.forEach(r -> bindings.addAll(r.bindings()));
    try {
      admin.alterUserScramCredentials(users).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      admin.createAcls(bindings).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      // A client that logs in right after the upsert must find its credential.
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (true) {
        Map<String, UserScramCredentialsDescription> known =
            admin
                .describeUserScramCredentials()
                .all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (known.keySet().containsAll(LocalSecurity.PRINCIPALS)) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the broker knows SCRAM credentials for "
                  + known.keySet()
                  + " only, after "
                  + TIMEOUT.toSeconds()
                  + " s; expected "
                  + LocalSecurity.PRINCIPALS);
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "creating the principals and ACLs of the secure mode failed: " + cause, cause);
    }
  }
}
