package io.biometer.streams.internal;

/**
 * A state store holds a value of a format version this build does not read (or an empty value). Not
 * a bad record: the processing-exception handler fails the task instead of dead-lettering the
 * record that met it. The message names the store, the version found and the versions known, and
 * what to do.
 */
public final class StateFormatException extends IllegalStateException {

  private final String store;
  private final int found;

  /**
   * @param found the version byte found, -1 for an empty value
   */
  public StateFormatException(String store, String what, int found, int... known) {
    super(message(store, what, found, known));
    this.store = store;
    this.found = found;
  }

  private static String message(String store, String what, int found, int... known) {
    String k = StateFormat.list(known);
    String f = found < 0 ? "(empty)" : Integer.toString(found);
    return "state store "
        + store
        + " holds "
        + what
        + " of format "
        + f
        + ", but this build reads format "
        + k
        + " only (format version "
        + f
        + " found; this build reads version "
        + k
        + "). Run the build that wrote it, or reset the application's state: stop every"
        + " instance, run kafka-streams-application-reset for its application.id and delete its"
        + " state.dir.";
  }

  /** The store that holds the value. */
  public String store() {
    return store;
  }

  /** The version found, -1 for an empty value. */
  public int found() {
    return found;
  }
}
