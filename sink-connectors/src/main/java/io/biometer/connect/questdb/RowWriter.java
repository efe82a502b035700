package io.biometer.connect.questdb;

/**
 * Where rows go: QuestDB's ILP client in the task ({@link SenderRowWriter}), a recorder in tests. A
 * row is {@link #table}, then every symbol, then the other columns, then {@link #at}.
 */
interface RowWriter {

  void table(String table);

  void symbol(String column, String value);

  void string(String column, String value);

  void longColumn(String column, long value);

  void doubleColumn(String column, double value);

  void boolColumn(String column, boolean value);

  void timestampColumn(String column, long epochMicros);

  /** Ends the row with its designated timestamp. */
  void at(long epochMicros);

  /** Drops the row begun since the last {@link #at}. */
  void cancelRow();
}
