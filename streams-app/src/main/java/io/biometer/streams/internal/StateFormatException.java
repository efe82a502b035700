package io.biometer.streams.internal;

/**
 * A state store holds a value this build cannot read: a format version it does not know (or an
 * empty value), or a value of a known version that is truncated, has bytes after its last field or
 * holds an enum name this build does not know. Not a bad record: the processing-exception handler
 * fails the task instead of dead-lettering the record that met it. The message names the store, the
 * version found, what is wrong, and what to do.
 */
public final class StateFormatException extends IllegalStateException {

  private static final String WHAT_TO_DO =
      " Run the build that wrote it, or reset the application's state: stop every instance, run"
          + " kafka-streams-application-reset for its application.id and delete its state.dir.";

  private final String store;
  private final int found;

  /**
   * A value of a version this build does not read, or an empty value.
   *
   * @param found the version byte found (0-255), -1 for an empty value
   * @param known the versions this build reads
   */
  public StateFormatException(String store, String what, int found, int... known) {
    super(
        "state store "
            + store
            + (found < 0
                ? " holds an empty value for " + what
                : " holds " + what + " of format " + found)
            + ", but this build reads format "
            + StateFormat.list(known)
            + " only."
            + WHAT_TO_DO);
    this.store = store;
    this.found = found;
  }

  /**
   * A value of a version this build reads that cannot be read all the same.
   *
   * @param found the version byte found (0-255)
   * @param problem what is wrong with it, e.g. "it is truncated (5 bytes ...)"
   * @param cause what showed it, or null
   */
  public StateFormatException(
      String store, String what, int found, String problem, Throwable cause) {
    super(
        "state store "
            + store
            + " holds "
            + what
            + " of format "
            + found
            + " that this build cannot read: "
            + problem
            + ". The store is damaged, or another build wrote it."
            + WHAT_TO_DO,
        cause);
    this.store = store;
    this.found = found;
  }

  /** The store that holds the value. */
  public String store() {
    return store;
  }

  /** The version found (0-255), -1 for an empty value. */
  public int found() {
    return found;
  }
}
