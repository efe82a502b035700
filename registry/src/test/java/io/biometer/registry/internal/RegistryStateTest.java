package io.biometer.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.biometer.registry.CompatibilityLevel;
import io.biometer.registry.RegisteredSchema;
import io.biometer.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class RegistryStateTest {

  private static final Schema V1 =
      SchemaBuilder.record("R").fields().requiredString("a").endRecord();

  /** V1 plus a field with a default: backward and forward compatible. */
  private static final Schema V2 =
      SchemaBuilder.record("R")
          .fields()
          .requiredString("a")
          .name("b")
          .type()
          .intType()
          .intDefault(0)
          .endRecord();

  /** V1 plus a field without a default: new readers cannot read old data. */
  private static final Schema V2_NO_DEFAULT =
      SchemaBuilder.record("R").fields().requiredString("a").requiredInt("b").endRecord();

  /** V1 with a's type changed: incompatible both ways. */
  private static final Schema V_TYPE_CHANGE =
      SchemaBuilder.record("R").fields().requiredInt("a").endRecord();

  private final List<RegisteredSchema> journaled = new ArrayList<>();

  private RegistryState state(CompatibilityLevel level) {
    return new RegistryState(
        level,
        new RegistryState.Journal() {
          @Override
          public void schemaAdded(RegisteredSchema schema) {
            journaled.add(schema);
          }

          @Override
          public void configChanged(String subject, CompatibilityLevel level) {}
        });
  }

  @Test
  void theSameSchemaGetsTheSameIdUnderAnySubject() {
    RegistryState s = state(CompatibilityLevel.BACKWARD);
    RegisteredSchema a = s.register("a-value", V1);
    RegisteredSchema b = s.register("b-value", V1);
    assertThat(b.id()).isEqualTo(a.id());
    assertThat(b.version()).isEqualTo(1);
  }

  @Test
  void registeringAgainCreatesNoNewVersion() {
    RegistryState s = state(CompatibilityLevel.BACKWARD);
    s.register("a-value", V1);
    s.register("a-value", V1);
    assertThat(s.versions("a-value")).containsExactly(1);
    assertThat(journaled).hasSize(1);
  }

  @Test
  void aCompatibleSchemaBecomesTheNextVersionWithANewId() {
    RegistryState s = state(CompatibilityLevel.BACKWARD);
    RegisteredSchema v1 = s.register("a-value", V1);
    RegisteredSchema v2 = s.register("a-value", V2);
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.id()).isGreaterThan(v1.id());
    assertThat(s.version("a-value", "latest")).isEqualTo(v2);
    assertThat(s.version("a-value", "1")).isEqualTo(v1);
  }

  @Test
  void backwardRefusesAFieldWithoutDefault() {
    RegistryState s = state(CompatibilityLevel.BACKWARD);
    s.register("a-value", V1);
    assertThatThrownBy(() -> s.register("a-value", V2_NO_DEFAULT))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.errorCode()).isEqualTo(409);
            })
        .hasMessageContaining("incompatible")
        .hasMessageContaining("BACKWARD")
        .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE");
    assertThat(s.versions("a-value")).containsExactly(1);
  }

  @Test
  void forwardAllowsWhatBackwardRefusesAndViceVersa() {
    RegistryState s = state(CompatibilityLevel.FORWARD);
    s.register("a-value", V1);
    assertThat(s.register("a-value", V2_NO_DEFAULT).version()).isEqualTo(2);
  }

  @Test
  void fullRefusesATypeChange() {
    RegistryState s = state(CompatibilityLevel.FULL);
    s.register("a-value", V1);
    assertThatThrownBy(() -> s.register("a-value", V_TYPE_CHANGE))
        .isInstanceOf(SchemaRegistryException.class);
  }

  @Test
  void noneAllowsAnything() {
    RegistryState s = state(CompatibilityLevel.NONE);
    s.register("a-value", V1);
    assertThat(s.register("a-value", V_TYPE_CHANGE).version()).isEqualTo(2);
  }

  @Test
  void transitiveLevelsCheckEveryEarlierVersion() {
    // History made under NONE: a string, then a int. v3 can read the latest but not the first.
    RegistryState s = state(CompatibilityLevel.NONE);
    s.register("a-value", V1);
    s.register("a-value", V_TYPE_CHANGE);
    Schema v3 =
        SchemaBuilder.record("R")
            .fields()
            .requiredInt("a")
            .name("c")
            .type()
            .intType()
            .intDefault(1)
            .endRecord();
    s.applyConfig("a-value", CompatibilityLevel.BACKWARD);
    assertThat(s.incompatibilities("a-value", "latest", v3)).isEmpty();
    s.applyConfig("a-value", CompatibilityLevel.BACKWARD_TRANSITIVE);
    assertThat(s.incompatibilities("a-value", "latest", v3)).isNotEmpty();
  }

  @Test
  void subjectLevelOverridesGlobal() {
    RegistryState s = state(CompatibilityLevel.BACKWARD);
    s.setLevel("a-value", CompatibilityLevel.NONE);
    assertThat(s.level("a-value")).isEqualTo(CompatibilityLevel.NONE);
    assertThat(s.level("b-value")).isEqualTo(CompatibilityLevel.BACKWARD);
    assertThat(s.subjectLevel("b-value")).isNull();
  }

  @Test
  void lookupsNameWhatIsMissing() {
    RegistryState s = state(CompatibilityLevel.BACKWARD);
    s.register("a-value", V1);
    assertThat(code(() -> s.versions("nope"))).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
    assertThat(code(() -> s.version("a-value", "7")))
        .isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND);
    assertThat(code(() -> s.version("a-value", "seven")))
        .isEqualTo(SchemaRegistryException.INVALID_VERSION);
    assertThat(code(() -> s.version("a-value", "0")))
        .isEqualTo(SchemaRegistryException.INVALID_VERSION);
    assertThat(code(() -> s.lookup("a-value", V2)))
        .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
    assertThat(code(() -> s.schemaById(99))).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
  }

  @Test
  void invalidSchemaTextIs42201() {
    assertThat(code(() -> RegistryState.parse("{\"type\":\"record\"}")))
        .isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
    assertThat(code(() -> RegistryState.parse("not json")))
        .isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
    assertThat(code(() -> RegistryState.parse("")))
        .isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
  }

  @Test
  void aJournalFailureLeavesTheStateUnchanged() {
    RegistryState s =
        new RegistryState(
            CompatibilityLevel.BACKWARD,
            new RegistryState.Journal() {
              @Override
              public void schemaAdded(RegisteredSchema schema) {
                throw new SchemaRegistryException(
                    500, SchemaRegistryException.STORE_ERROR, "disk full");
              }

              @Override
              public void configChanged(String subject, CompatibilityLevel level) {}
            });
    assertThatThrownBy(() -> s.register("a-value", V1)).hasMessageContaining("disk full");
    assertThat(s.subjects()).isEmpty();
  }

  @Test
  void replayingTheJournalRebuildsTheSameIds() {
    RegistryState first = state(CompatibilityLevel.BACKWARD);
    first.register("a-value", V1);
    first.register("b-value", V2);
    first.register("a-value", V2);
    RegistryState second = state(CompatibilityLevel.BACKWARD);
    new ArrayList<>(journaled).forEach(second::apply);
    assertThat(second.subjects()).isEqualTo(first.subjects());
    assertThat(second.version("a-value", "latest")).isEqualTo(first.version("a-value", "latest"));
    Schema v3 = SchemaBuilder.record("Q").fields().requiredString("z").endRecord();
    assertThat(second.register("c-value", v3).id())
        .as("next id follows the replayed ones")
        .isEqualTo(3);
  }

  private static int code(Runnable r) {
    try {
      r.run();
    } catch (SchemaRegistryException e) {
      return e.errorCode();
    }
    throw new AssertionError("no SchemaRegistryException");
  }
}
