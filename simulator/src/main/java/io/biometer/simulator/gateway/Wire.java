package io.biometer.simulator.gateway;

import io.biometer.ingress.readings.DeviceReading;
import io.biometer.ingress.readings.ReadingJson;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/** What the transports share: the gateway's JSON shape, HTTP Basic, the trust store. */
final class Wire {

  private Wire() {}

  /** One reading as a JSON object, several as an array (docs/ingress.md). */
  static Buffer json(List<DeviceReading> readings) {
    if (readings.size() == 1) {
      return ReadingJson.toJson(readings.get(0)).toBuffer();
    }
    List<Object> all = new ArrayList<>(readings.size());
    for (DeviceReading r : readings) {
      all.add(ReadingJson.toJson(r));
    }
    return new JsonArray(all).toBuffer();
  }

  /** The {@code Authorization} header of a device's password. */
  static String basic(String authId, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((authId + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The trust store of {@code s}, or null for plain text. */
  static PfxOptions trust(GatewaySettings s) {
    if (!s.tls()) {
      return null;
    }
    return new PfxOptions().setPath(s.truststore().toString()).setPassword(s.truststorePassword());
  }

  /** The same answer for every reading. */
  static List<Answer> all(int n, Answer a) {
    return Collections.nCopies(n, a);
  }

  /** The error of a body {@code {"error": ..., "message": ...}}, or null if it is none. */
  static JsonObject errorBody(Buffer body) {
    try {
      JsonObject j = new JsonObject(body);
      return j.containsKey("error") ? j : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A connection that ended before the gateway answered. */
  static final class ConnectionLost extends VertxException {
    private static final long serialVersionUID = 1L;

    ConnectionLost(String message) {
      super(message, true);
    }
  }
}
