package io.biometer.connect.questdb;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * QuestDB's ILP client configuration string ({@code http::addr=host:port;key=value;...}), read for
 * what the sink needs besides the client: the HTTP address and credentials of the SQL it runs. A
 * {@code ;} inside a value is written {@code ;;}, as for the client itself.
 *
 * @param schema {@code http} or {@code https}
 * @param host the first address's host
 * @param port the first address's port
 * @param entries every key and value, in order
 */
record ClientConf(String schema, String host, int port, Map<String, String> entries) {

  /** The ILP HTTP port QuestDB listens on unless told otherwise. */
  static final int DEFAULT_PORT = 9000;

  /** The client's own retries before a flush gives up, unless the user set retry_timeout. */
  static final String DEFAULT_RETRY_TIMEOUT_MS = "1000";

  /**
   * Reads {@code conf}. A {@code ;} in a value is written {@code ;;}, as QuestDB's client wants it.
   *
   * @throws ConfigException saying what is wrong, never echoing a value (it could be a password or
   *     a token): a malformed entry is located by the key before it
   */
  static ClientConf parse(String conf) {
    String s = conf == null ? "" : conf.trim();
    int sep = s.indexOf("::");
    if (sep < 0) {
      throw new ConfigException(
          "not a QuestDB client configuration: expected http::addr=host:port; (or https::...)");
    }
    String schema = s.substring(0, sep);
    if (!schema.equals("http") && !schema.equals("https")) {
      throw new ConfigException(
          (schema.matches("[A-Za-z0-9_]{1,16}")
                  ? "transport '" + schema + "' is not supported"
                  : "the client configuration does not start with a transport")
              + ": the sink writes ILP over HTTP, which acknowledges each batch; use http:: or"
              + " https::");
    }
    Map<String, String> entries = new LinkedHashMap<>();
    String body = s.substring(sep + 2);
    String lastKey = null;
    int i = 0;
    while (i < body.length()) {
      int end = entryEnd(body, i);
      String part = body.substring(i, end);
      i = end + 1;
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0 || part.substring(0, eq).isBlank()) {
        throw new ConfigException(
            "malformed entry in the client configuration "
                + (lastKey == null ? "at its start" : "after '" + lastKey + "'")
                + ": expected key=value; (a ';' inside a value is written ';;')");
      }
      lastKey = part.substring(0, eq).trim();
      entries.put(lastKey, part.substring(eq + 1).replace(";;", ";").trim());
    }
    String addr = entries.get("addr");
    if (addr == null || addr.isBlank()) {
      throw new ConfigException("the client configuration has no addr=host:port;");
    }
    String first = addr.split(",")[0].trim();
    String host = first;
    int port = DEFAULT_PORT;
    int colon = first.lastIndexOf(':');
    if (colon > 0) {
      host = first.substring(0, colon);
      try {
        port = Integer.parseInt(first.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new ConfigException("addr '" + first + "' has no valid port");
      }
    }
    return new ClientConf(schema, host, port, Collections.unmodifiableMap(entries));
  }

  /**
   * The index of the {@code ;} that ends the entry starting at {@code from}, skipping {@code ;;}.
   */
  private static int entryEnd(String body, int from) {
    int i = from;
    while (i < body.length()) {
      if (body.charAt(i) == ';') {
        if (i + 1 < body.length() && body.charAt(i + 1) == ';') {
          i += 2;
          continue;
        }
        return i;
      }
      i++;
    }
    return body.length();
  }

  /**
   * The configuration the ILP client is built with: as given, with the sink's own flushing ({@code
   * auto_flush=off}: a flush in the middle of a batch would break the ledger of acknowledged
   * offsets) and a short {@code retry_timeout} unless one is set.
   */
  String senderConf() {
    StringBuilder b = new StringBuilder(schema).append("::");
    Map<String, String> e = new LinkedHashMap<>(entries);
    e.keySet().removeIf(k -> k.startsWith("auto_flush"));
    e.put("auto_flush", "off");
    e.putIfAbsent("retry_timeout", DEFAULT_RETRY_TIMEOUT_MS);
    // Without it the client asks the server for its version when it is built, and cannot be
    // built while QuestDB is down. 2 (binary doubles) is what QuestDB 9 speaks.
    e.putIfAbsent("protocol_version", "2");
    e.forEach((k, v) -> b.append(k).append('=').append(v.replace(";", ";;")).append(';'));
    return b.toString();
  }

  /** Base URL of QuestDB's HTTP server, e.g. {@code http://127.0.0.1:9000}. */
  String baseUrl() {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return schema + "://" + h + ":" + port;
  }

  /** The value of an HTTP Authorization header for the SQL calls, or null. */
  String authorization() {
    String token = entries.get("token");
    if (token != null && !token.isEmpty()) {
      return "Bearer " + token;
    }
    String user = entries.get("username");
    if (user != null && !user.isEmpty()) {
      String pw = entries.getOrDefault("password", "");
      return "Basic "
          + java.util.Base64.getEncoder()
              .encodeToString((user + ":" + pw).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return null;
  }

  @Override
  public String toString() {
    return baseUrl();
  }
}
