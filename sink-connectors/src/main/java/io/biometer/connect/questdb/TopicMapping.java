package io.biometer.connect.questdb;

import java.util.List;
import java.util.Set;

/**
 * How one topic's records become rows: the effective values of the mapping keys for the topic.
 *
 * @param topic the topic
 * @param table the target table
 * @param timestampField the value field of the designated timestamp (a dotted path), or empty for
 *     the record's Kafka timestamp
 * @param timestampColumn the designated timestamp column's name
 * @param symbols columns written as SYMBOL besides the enums
 * @param dedupKeys the columns that, with the timestamp, identify a row
 * @param explode the array-of-records field whose elements each become a row, or empty
 * @param namesAsIs whether field names are column names as they are (else snake_case)
 * @param skipUnsupported whether fields of unsupported types are skipped (else the record is bad)
 */
public record TopicMapping(
    String topic,
    String table,
    String timestampField,
    String timestampColumn,
    Set<String> symbols,
    List<String> dedupKeys,
    String explode,
    boolean namesAsIs,
    boolean skipUnsupported) {

  /** The table's DEDUP UPSERT KEYS: the timestamp column and the configured keys. */
  public List<String> upsertKeys() {
    java.util.List<String> keys = new java.util.ArrayList<>();
    keys.add(timestampColumn);
    for (String k : dedupKeys) {
      if (!k.equals(timestampColumn)) {
        keys.add(k);
      }
    }
    return keys;
  }

  /** A column name for a field name, under the configured naming. */
  String columnName(String field) {
    return namesAsIs ? field : snakeCase(field);
  }

  /** {@code deviceId} to {@code device_id}, {@code HTTPCode} to {@code http_code}. */
  static String snakeCase(String s) {
    StringBuilder b = new StringBuilder(s.length() + 4);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isUpperCase(c)) {
        boolean prevLower =
            i > 0 && !Character.isUpperCase(s.charAt(i - 1)) && s.charAt(i - 1) != '_';
        boolean nextLower = i + 1 < s.length() && Character.isLowerCase(s.charAt(i + 1));
        boolean prevUpper = i > 0 && Character.isUpperCase(s.charAt(i - 1));
        if (i > 0 && (prevLower || (prevUpper && nextLower))) {
          b.append('_');
        }
        b.append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
