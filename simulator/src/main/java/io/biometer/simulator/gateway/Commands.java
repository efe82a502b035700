package io.biometer.simulator.gateway;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Which simulated devices take commands from the gateway, and what they do with them
 * (docs/commands.md): a transport that can carry commands asks at every connect, subscribes a
 * device that has a {@link Handler}, and hands it each command frame with a {@link Responder} of
 * the connection the command came on.
 */
@FunctionalInterface
interface Commands {

  /** No device takes commands. */
  Commands NONE = deviceId -> null;

  /** The handler of {@code deviceId}'s commands, or null if it takes none. */
  Handler handler(String deviceId);

  /** A device that obeys commands. */
  @FunctionalInterface
  interface Handler {
    /**
     * One command frame as the gateway sent it (JSON), called on the connection's event loop.
     *
     * @param responder answers on the connection the command came on
     */
    void command(Buffer frame, Responder responder);

    /** The device's subscription to its commands was acknowledged: commands can come now. */
    default void subscribed() {}
  }

  /** The way back to the gateway for the answer to a command. */
  @FunctionalInterface
  interface Responder {
    /**
     * Sends the response frame {@code frame}.
     *
     * @return completes once the gateway acknowledged it (over MQTT: its PUBACK, which comes once
     *     Kafka has the response); fails if the connection ended first
     */
    Future<Void> respond(Buffer frame);
  }
}
