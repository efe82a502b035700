package io.biometer.registry;

/**
 * A schema registry refused a request, or could not be reached.
 *
 * <p>Carries the HTTP status and the registry's {@code error_code} (Confluent's codes, e.g. {@link
 * #SUBJECT_NOT_FOUND}); a registry that could not be reached at all has status 0 and error code
 * {@link #UNREACHABLE}.
 */
public class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The registry could not be reached (connection refused, timeout, I/O error). */
  public static final int UNREACHABLE = -1;

  /** The registry answered, but not with what the API promises (not JSON, a field missing). */
  public static final int MALFORMED_ANSWER = -2;

  /** No such subject. */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** The subject exists but has no such version. */
  public static final int VERSION_NOT_FOUND = 40402;

  /** No such schema (by id, or under the subject). */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** The subject has no subject-level compatibility configured. */
  public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;

  /** The schema is incompatible with earlier versions under the subject's compatibility level. */
  public static final int INCOMPATIBLE_SCHEMA = 409;

  /** The schema text is not a valid schema. */
  public static final int INVALID_SCHEMA = 42201;

  /** The version is neither a positive integer nor {@code latest}. */
  public static final int INVALID_VERSION = 42202;

  /** The compatibility level is not one of {@link CompatibilityLevel}. */
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

  /** The registry failed to store the change in its backing store. */
  public static final int STORE_ERROR = 50001;

  private final int status;
  private final int errorCode;

  /** A refusal with the registry's status, error code and message. */
  public SchemaRegistryException(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** A refusal or failure caused by {@code cause}. */
  public SchemaRegistryException(int status, int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** HTTP status of the answer, or 0 if the registry could not be reached. */
  public int status() {
    return status;
  }

  /** The registry's {@code error_code}, or {@link #UNREACHABLE}. */
  public int errorCode() {
    return errorCode;
  }

  /** True if the registry could not be reached or failed on its side (worth retrying later). */
  public boolean isTransient() {
    return errorCode == UNREACHABLE || status >= 500;
  }
}
