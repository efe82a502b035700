package io.biometer.registry;

import io.biometer.registry.internal.RegistryState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * In-memory registries for tests without a server, one per scope, reached through {@code
 * schema.registry.url=mock://<scope>} (as with Confluent's serdes). Same rules as the embedded
 * server: same id for the same schema, versions per subject, BACKWARD by default.
 */
public final class MockSchemaRegistry {

  /** URL scheme that selects a mock registry. */
  public static final String SCHEME = "mock://";

  private static final Map<String, Client> SCOPES = new ConcurrentHashMap<>();

  private MockSchemaRegistry() {}

  /** The client of the registry of {@code scope}, created empty on first use. */
  public static SchemaRegistryClient client(String scope) {
    return SCOPES.computeIfAbsent(scope, s -> new Client());
  }

  /** Forgets the registry of {@code scope} (call between tests that share a scope name). */
  public static void drop(String scope) {
    SCOPES.remove(scope);
  }

  private static final class Client implements SchemaRegistryClient {
    private final RegistryState state =
        new RegistryState(CompatibilityLevel.BACKWARD, RegistryState.Journal.NONE);

    @Override
    public int register(String subject, Schema schema) {
      return state.register(subject, schema).id();
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
      return state.lookup(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
      return state.schemaById(id);
    }

    @Override
    public List<String> subjects() {
      return state.subjects();
    }

    @Override
    public List<Integer> versions(String subject) {
      return state.versions(subject);
    }

    @Override
    public RegisteredSchema version(String subject, String version) {
      return state.version(subject, version);
    }

    @Override
    public boolean isCompatible(String subject, String version, Schema schema) {
      return state.incompatibilities(subject, version, schema).isEmpty();
    }

    @Override
    public CompatibilityLevel compatibility(String subject) {
      return state.level(subject);
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
      state.setLevel(subject, level);
    }
  }
}
