package io.biometer.connect.questdb;

import static io.biometer.connect.questdb.SinkFixtures.READINGS;
import static io.biometer.connect.questdb.SinkFixtures.reading;
import static io.biometer.connect.questdb.SinkFixtures.readingsConfig;
import static io.biometer.connect.questdb.SinkFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink against a scripted QuestDB that answers ILP writes with a chosen HTTP status: a server
 * error is an outage (records wait, none goes to the DLQ), bad credentials stop the task. QuestDB
 * itself cannot be made to answer 503 or 401 on demand.
 */
class QuestDbAnswersTest {

  private HttpServer server;
  private final AtomicInteger writeStatus = new AtomicInteger(503);
  private final AtomicInteger writes = new AtomicInteger();
  private SinkFixtures.Context context;
  private QuestDbSinkTask task;
  private final TopicPartition tp = new TopicPartition(READINGS, 0);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/ping", ex -> answer(ex, 204, ""));
    server.createContext(
        "/exec",
        ex -> {
          String query =
              URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
          if (query.contains("tables()")) {
            answer(ex, 200, "{\"dataset\":[[true,true,\"ts\"]]}");
          } else {
            answer(
                ex,
                200,
                "{\"dataset\":[[\"ts\",true],[\"device_id\",true],[\"sequence\",true],"
                    + "[\"channel\",true],[\"value\",false]]}");
          }
        });
    server.createContext(
        "/write",
        ex -> {
          ex.getRequestBody().readAllBytes();
          writes.incrementAndGet();
          int status = writeStatus.get();
          answer(
              ex,
              status,
              status == 204
                  ? ""
                  : "{\"code\":\"internal\",\"message\":\"scripted " + status + "\"}");
        });
    server.start();
    context = new SinkFixtures.Context();
    task = new QuestDbSinkTask();
    task.initialize(context);
    Map<String, String> props =
        readingsConfig(
            "http::addr=127.0.0.1:" + server.getAddress().getPort() + ";retry_timeout=0;");
    task.start(props);
  }

  @AfterEach
  void stop() {
    task.stop();
    server.stop(0);
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (!body.isEmpty()) {
      ex.getResponseHeaders().add("Content-Type", "application/json");
    }
    // Chunked, as QuestDB answers (its client asserts it of an error answer).
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : 0);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }

  @Test
  void aServerErrorIsAnOutageNotABadRecord() {
    List<SinkRecord> batch =
        List.of(
            record(0, 0, reading("bp-1", 0, 1_764_000_000_000L, 1, 2)),
            record(0, 1, reading("bp-1", 1, 1_764_000_001_000L, 3, 4)));
    task.put(batch); // handed to the flush thread
    assertThat(task.preCommit(Map.of(tp, new OffsetAndMetadata(2))))
        .as("nothing acknowledged, nothing committed")
        .containsEntry(tp, new OffsetAndMetadata(0));
    assertThat(context.reported).as("a 503 says nothing about the records").isEmpty();

    writeStatus.set(204);
    task.put(List.of());
    assertThat(task.preCommit(Map.of(tp, new OffsetAndMetadata(2))))
        .containsEntry(tp, new OffsetAndMetadata(2));
    assertThat(context.reported).isEmpty();
  }

  @Test
  void aRefusalIsTheRecordsAndGoesToTheDlq() {
    writeStatus.set(400);
    task.put(List.of(record(0, 0, reading("bp-1", 0, 1_764_000_000_000L, 1, 2))));
    assertThat(task.preCommit(Map.of(tp, new OffsetAndMetadata(1))))
        .containsEntry(tp, new OffsetAndMetadata(1));
    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(0L);
    assertThat(context.reasons.get(0)).hasMessageContaining("HTTP 400, internal");
  }

  @Test
  void refusedCredentialsStopTheTaskWithTheKeyToSet() {
    writeStatus.set(401);
    task.put(List.of(record(0, 0, reading("bp-1", 0, 1_764_000_000_000L, 1, 2))));
    assertThatThrownBy(() -> task.preCommit(Map.of(tp, new OffsetAndMetadata(1))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("refused the sink's credentials (HTTP 401)")
        .hasMessageContaining("client.conf.string");
    assertThat(context.reported).isEmpty();
  }
}
