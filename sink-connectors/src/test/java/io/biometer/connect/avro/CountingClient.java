package io.biometer.connect.avro;

import io.biometer.registry.CompatibilityLevel;
import io.biometer.registry.RegisteredSchema;
import io.biometer.registry.SchemaRegistryClient;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/** A registry client that counts schema fetches by id, to observe the converter's cache. */
final class CountingClient implements SchemaRegistryClient {

  final AtomicInteger schemaByIdCalls = new AtomicInteger();
  private final SchemaRegistryClient delegate;

  CountingClient(SchemaRegistryClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public Schema schemaById(int id) {
    schemaByIdCalls.incrementAndGet();
    return delegate.schemaById(id);
  }

  @Override
  public int register(String subject, Schema schema) {
    return delegate.register(subject, schema);
  }

  @Override
  public RegisteredSchema lookup(String subject, Schema schema) {
    return delegate.lookup(subject, schema);
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
