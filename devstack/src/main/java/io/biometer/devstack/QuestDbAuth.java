package io.biometer.devstack;

import java.util.Objects;

/**
 * The credentials that turn on {@link EmbeddedQuestDb}'s authentication: HTTP Basic on the REST
 * API, ILP over HTTP and the web console ({@code http.user}, {@code http.password}), the PG-wire
 * admin's password ({@code pg.password}, user {@value EmbeddedQuestDb#ADMIN_USER}) and the PG-wire
 * read-only user's ({@code pg.readonly.password}, user {@value EmbeddedQuestDb#READONLY_USER}).
 * Where they come from is the caller's business; {@link #toString()} never shows a password.
 *
 * @param httpUser the one HTTP user (QuestDB OSS has one), e.g. for the sink's ILP writes
 * @param httpPassword its password
 * @param pgPassword the PG-wire admin's password, in place of QuestDB's default {@value
 *     EmbeddedQuestDb#DEFAULT_ADMIN_PASSWORD}
 * @param readonlyPassword the read-only user's password, in place of {@value
 *     EmbeddedQuestDb#READONLY_PASSWORD}
 */
public record QuestDbAuth(
    String httpUser, String httpPassword, String pgPassword, String readonlyPassword) {

  /**
   * @throws IllegalArgumentException naming the first value that is blank
   */
  public QuestDbAuth {
    requireValue("httpUser", httpUser);
    requireValue("httpPassword", httpPassword);
    requireValue("pgPassword", pgPassword);
    requireValue("readonlyPassword", readonlyPassword);
    if (pgPassword.equals(EmbeddedQuestDb.DEFAULT_ADMIN_PASSWORD)) {
      throw new IllegalArgumentException(
          "pgPassword is QuestDB's default admin password; give a generated one");
    }
  }

  private static void requireValue(String name, String value) {
    if (Objects.requireNonNull(value, name).isBlank()) {
      throw new IllegalArgumentException(name + " of QuestDB's authentication is blank");
    }
  }

  /** The user names only; the passwords are masked. */
  @Override
  public String toString() {
    return "QuestDbAuth[httpUser="
        + httpUser
        + ", httpPassword=[hidden], pgPassword=[hidden], readonlyPassword=[hidden]]";
  }
}
