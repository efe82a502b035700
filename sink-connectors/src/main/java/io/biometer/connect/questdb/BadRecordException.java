package io.biometer.connect.questdb;

import org.apache.kafka.connect.errors.DataException;

/**
 * A record the sink cannot write, for a reason of its own (its schema, a null timestamp) or because
 * QuestDB refused it. It goes to Connect's errant-record reporter (the DLQ); its neighbours land.
 */
public class BadRecordException extends DataException {

  private static final long serialVersionUID = 1L;

  public BadRecordException(String message) {
    super(message);
  }

  public BadRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
