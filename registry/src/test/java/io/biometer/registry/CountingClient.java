package io.biometer.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * Counts the calls that reach a registry client, to observe a serde's or converter's caches. In the
 * schemas test jar, so the other modules' tests use it too.
 */
public final class CountingClient implements SchemaRegistryClient {
  private final SchemaRegistryClient delegate;
  public volatile int registers;
  public volatile int fetches;

  public CountingClient(SchemaRegistryClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public int register(String subject, Schema schema) {
    registers++;
    return delegate.register(subject, schema);
  }

  @Override
  public RegisteredSchema lookup(String subject, Schema schema) {
    return delegate.lookup(subject, schema);
  }

  @Override
  public Schema schemaById(int id) {
    fetches++;
    return delegate.schemaById(id);
  }

  @Override
  public List<String> subjects() {
    return delegate.subjects();
  }

  @Override
  public List<Integer> versions(String subject) {
    return delegate.versions(subject);
  }

  @Override
  public RegisteredSchema version(String subject, String version) {
    return delegate.version(subject, version);
  }

  @Override
  public boolean isCompatible(String subject, String version, Schema schema) {
    return delegate.isCompatible(subject, version, schema);
  }

  @Override
  public CompatibilityLevel compatibility(String subject) {
    return delegate.compatibility(subject);
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    delegate.setCompatibility(subject, level);
  }
}
