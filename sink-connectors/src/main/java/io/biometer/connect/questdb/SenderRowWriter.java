package io.biometer.connect.questdb;

import io.questdb.client.Sender;
import java.time.temporal.ChronoUnit;

/** A {@link RowWriter} over QuestDB's ILP client. */
final class SenderRowWriter implements RowWriter {

  private final Sender sender;

  SenderRowWriter(Sender sender) {
    this.sender = sender;
  }

  @Override
  public void table(String table) {
    sender.table(table);
  }

  @Override
  public void symbol(String column, String value) {
    sender.symbol(column, value);
  }

  @Override
  public void string(String column, String value) {
    sender.stringColumn(column, value);
  }

  @Override
  public void longColumn(String column, long value) {
    sender.longColumn(column, value);
  }

  @Override
  public void doubleColumn(String column, double value) {
    sender.doubleColumn(column, value);
  }

  @Override
  public void boolColumn(String column, boolean value) {
    sender.boolColumn(column, value);
  }

  @Override
  public void timestampColumn(String column, long epochMicros) {
    sender.timestampColumn(column, epochMicros, ChronoUnit.MICROS);
  }

  @Override
  public void at(long epochMicros) {
    sender.at(epochMicros, ChronoUnit.MICROS);
  }

  @Override
  public void cancelRow() {
    sender.cancelRow();
  }
}
