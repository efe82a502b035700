package io.biometer.connect.questdb;

import io.questdb.client.Sender;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records to QuestDB with its ILP client over HTTP, one HTTP request per flush, which
 * QuestDB applies as a whole or not at all.
 *
 * <p><b>Offsets.</b> Records wait in a ledger until a flush that holds them succeeds; {@link
 * #preCommit} returns, per partition, the offset of the first record still waiting, so Connect
 * never commits a record QuestDB has not acknowledged. A record sent twice (after a crash or a
 * retry) overwrites its row, because every table has DEDUP UPSERT KEYS.
 *
 * <p><b>Failures, classified by what QuestDB does, not by message text.</b> When a flush fails, the
 * task asks QuestDB's {@code /ping}. No answer: QuestDB is down, the records wait, {@code put}
 * throws {@link RetriableException} after setting a back-off (doubling, capped), and Connect
 * delivers the batch again; the task never fails for that unless {@code max.retries} says so. An
 * answer: QuestDB refused the batch's content, so the batch is bisected until the refused records
 * are found; those go to Connect's errant-record reporter (the DLQ) and the rest land.
 */
public class QuestDbSinkTask extends SinkTask {

  private static final Logger log = LoggerFactory.getLogger(QuestDbSinkTask.class);

  private QuestDbSinkConfig config;
  private ClientConf clientConf;
  private QuestDbHttp http;
  private TableGuard guard;
  private Sender sender;
  private Sender spare;
  private RowWriter out;

  // The batch QuestDB is ingesting while the task reads and encodes the next one.
  private final java.util.concurrent.ExecutorService flusher =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "questdb-sink-flush");
            t.setDaemon(true);
            return t;
          });
  private java.util.concurrent.Future<?> inflight;
  private Sender inflightSender;
  private List<SinkRecord> inflightRecords = List.of();
  private long inflightRows;
  private ErrantRecordReporter reporter;

  private final Map<String, TopicMapping> mappings = new HashMap<>();
  private final Map<TopicMapping, Map<Schema, Object>> plans = new HashMap<>();
  private final Set<String> readyTables = new java.util.HashSet<>();
  private Schema lastSchema;
  private String lastTopic;
  private Object lastPlan;

  private final List<SinkRecord> pending = new ArrayList<>();
  private final Map<SinkRecord, Boolean> reported = new IdentityHashMap<>();
  private final List<java.util.concurrent.Future<Void>> dlqWrites = new ArrayList<>();
  private long nextAttemptNanos;
  private ConnectException fatal;
  private long oldestPendingNanos;
  private long allowedLagMs;
  private int flushMaxRecords;

  private long backoffMs;
  private int failedAttempts;

  // Read by Connect's metrics (JMX) from another thread.
  private volatile long rowsWritten;
  private volatile long failedAttemptsTotal;
  private volatile long recordsReported;

  @Override
  public String version() {
    return Versions.PLUGIN;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new QuestDbSinkConfig(props);
    clientConf = ClientConf.parse(config.clientConf());
    http = new QuestDbHttp(clientConf);
    guard = new TableGuard(http);
    allowedLagMs = config.getLong(QuestDbSinkConfig.ALLOWED_LAG);
    flushMaxRecords = config.getInt(QuestDbSinkConfig.FLUSH_MAX_RECORDS);
    backoffMs = config.getLong(QuestDbSinkConfig.RETRY_BACKOFF_MS);
    try {
      reporter = context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      reporter = null; // a Connect runtime older than 2.6
    }
    registerMetrics();
    checkConfiguredTables();
    log.info(
        "QuestDB sink task started: QuestDB at {}, allowed.lag {} ms, per-topic mapping {}",
        clientConf.baseUrl(),
        allowedLagMs,
        config.perTopicKeys());
  }

  /**
   * The task's figures as Connect plugin metrics (KIP-877): in JMX as {@code
   * kafka.connect:type=plugins,connector=<name>,task=<n>}, so Prometheus' JMX exporter serves them
   * (e.g. {@code kafka_connect_plugins_rows_written}: the exporter drops {@code _total} from a
   * gauge's name). Connect removes them with the task.
   */
  private void registerMetrics() {
    org.apache.kafka.common.metrics.PluginMetrics metrics;
    try {
      metrics = context.pluginMetrics();
    } catch (NoSuchMethodError | NoClassDefFoundError | UnsupportedOperationException e) {
      return; // a Connect runtime older than 4.1
    }
    if (metrics == null) {
      return;
    }
    gauge(metrics, "rows-written-total", "Rows QuestDB acknowledged.", () -> rowsWritten);
    gauge(
        metrics,
        "records-reported-total",
        "Records sent to the errant-record reporter (the DLQ).",
        () -> recordsReported);
    gauge(
        metrics,
        "failed-attempts-total",
        "Attempts to reach QuestDB that failed (each followed by a back-off).",
        () -> failedAttemptsTotal);
    gauge(
        metrics,
        "records-waiting",
        "Records received and not yet acknowledged by QuestDB (not committed).",
        // Racy reads of list sizes: a gauge may be a moment stale, never wrong for long.
        () -> (long) pending.size() + inflightRecords.size());
  }

  private static void gauge(
      org.apache.kafka.common.metrics.PluginMetrics metrics,
      String name,
      String doc,
      java.util.function.LongSupplier value) {
    metrics.addMetric(
        metrics.metricName(name, doc, new java.util.LinkedHashMap<>()),
        (org.apache.kafka.common.metrics.Gauge<Long>) (config, now) -> value.getAsLong());
  }

  /**
   * Checks the tables named in the configuration now, so an unfit one stops the task at start. A
   * QuestDB that does not answer yet is not an error: the check is repeated before the first write.
   */
  private void checkConfiguredTables() {
    for (String topic : QuestDbSinkConfig.topicsOf(configOriginals())) {
      TopicMapping m = mapping(topic);
      if (m.table().contains("${")) {
        continue;
      }
      try {
        if (guard.check(m.table(), m) == TableGuard.State.READY) {
          readyTables.add(m.table());
        }
      } catch (QuestDbHttp.UnavailableException e) {
        log.warn(
            "QuestDB at {} does not answer yet ({}); table {} is checked before the first write",
            clientConf.baseUrl(),
            e.getMessage(),
            m.table());
        return;
      } catch (QuestDbHttp.RefusedException e) {
        throw new ConnectException("cannot check table '" + m.table() + "': " + e.getMessage(), e);
      }
    }
  }

  private Map<String, String> configOriginals() {
    Map<String, String> m = new HashMap<>();
    config.originalsStrings().forEach(m::put);
    return m;
  }

  private TopicMapping mapping(String topic) {
    return mappings.computeIfAbsent(topic, config::mapping);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    if (fatal != null) {
      // Found while committing, where Connect only logs it: fail the task now.
      throw fatal;
    }
    if (!records.isEmpty() && pending.isEmpty()) {
      oldestPendingNanos = System.nanoTime();
    }
    pending.addAll(records);
    if (pending.isEmpty()) {
      return;
    }
    long ageMs = (System.nanoTime() - oldestPendingNanos) / 1_000_000L;
    if (pending.size() >= flushMaxRecords || ageMs >= allowedLagMs) {
      try {
        flushPendingAsync();
      } catch (QuestDbHttp.UnavailableException e) {
        // Connect delivers this batch again after the back-off: it must not wait twice. It is
        // the tail of the ledger (records of an earlier, failed flush go back to its head).
        int waiting = pending.size();
        pending.subList(Math.max(0, pending.size() - records.size()), pending.size()).clear();
        throw unavailable(e, waiting);
      }
    }
    if (!pending.isEmpty()) {
      long waited = (System.nanoTime() - oldestPendingNanos) / 1_000_000L;
      context.timeout(Math.max(1L, allowedLagMs - waited));
    }
  }

  private RetriableException unavailable(QuestDbHttp.UnavailableException e, int waiting) {
    failedAttempts++;
    failedAttemptsTotal++;
    int max = config.getInt(QuestDbSinkConfig.MAX_RETRIES);
    if (max >= 0 && failedAttempts > max) {
      throw new ConnectException(
          "QuestDB at "
              + clientConf.baseUrl()
              + " unreachable after "
              + failedAttempts
              + " attempts (max.retries="
              + max
              + "): "
              + e.getMessage(),
          e);
    }
    long wait = backoffMs;
    log.warn(
        "QuestDB at {} unreachable ({}); {} records wait, uncommitted; attempt {} again in {} ms",
        clientConf.baseUrl(),
        e.getMessage(),
        waiting,
        failedAttempts + 1,
        wait);
    context.timeout(wait);
    nextAttemptNanos = System.nanoTime() + wait * 1_000_000L;
    backoffMs = Math.min(backoffMs * 2, config.getLong(QuestDbSinkConfig.RETRY_BACKOFF_MAX_MS));
    return new RetriableException(
        "QuestDB at " + clientConf.baseUrl() + " unreachable; retry in " + wait + " ms", e);
  }

  /**
   * Sends every waiting record; on return the ledger is empty: each record landed or went to the
   * errant-record reporter.
   *
   * @throws QuestDbHttp.UnavailableException if QuestDB could not be reached; the ledger is kept
   */
  private void flushPending() throws QuestDbHttp.UnavailableException {
    awaitInflight();
    List<SinkRecord> batch = unreported(pending);
    send(batch);
    landed();
    forget(pending);
    pending.clear();
  }

  /**
   * Encodes every waiting record and hands the buffer to the flush thread, so that QuestDB ingests
   * it while the task reads the next batch. First waits for the batch before it: at most one is in
   * flight, and its records stay in the ledger until it is acknowledged.
   *
   * @throws QuestDbHttp.UnavailableException if QuestDB could not be reached; the ledger is kept
   */
  private void flushPendingAsync() throws QuestDbHttp.UnavailableException {
    if (failedAttempts > 0) {
      // QuestDB was not reachable last time: find out now, not a batch later.
      flushPending();
      return;
    }
    awaitInflight();
    List<SinkRecord> batch = unreported(pending);
    Encoded e = encode(batch);
    if (e.consumed() < batch.size()) {
      // More than the client's buffer holds: this time, one request after the other.
      flush(e);
      send(batch.subList(e.consumed(), batch.size()));
      landed();
      forget(pending);
      pending.clear();
      return;
    }
    forget(pending);
    pending.clear();
    if (e.records().isEmpty()) {
      return;
    }
    Sender s = sender;
    sender = null;
    out = null;
    inflightSender = s;
    inflightRecords = e.records();
    inflightRows = e.rows();
    inflight = flusher.submit(() -> s.flush());
  }

  /**
   * Waits for the batch in flight. Acknowledged: its records leave the ledger. Failed: they go back
   * to the head of the ledger and are sent again at once, the careful way (a QuestDB that does not
   * answer, or a refused record found by bisection).
   */
  private void awaitInflight() throws QuestDbHttp.UnavailableException {
    if (inflight == null) {
      return;
    }
    java.util.concurrent.Future<?> f = inflight;
    List<SinkRecord> records = inflightRecords;
    Sender s = inflightSender;
    inflight = null;
    inflightRecords = List.of();
    inflightSender = null;
    try {
      f.get();
      rowsWritten += inflightRows;
      landed();
      if (spare == null) {
        spare = s;
      } else {
        close(s);
      }
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // The flush may still be running: the flush thread closes the client after it.
      flusher.execute(() -> close(s));
      pending.addAll(0, records);
      throw new ConnectException("interrupted while QuestDB ingested a batch", e);
    } catch (java.util.concurrent.ExecutionException e) {
      close(s);
    }
    pending.addAll(0, records);
    send(records);
    pending.subList(0, records.size()).clear();
    landed();
  }

  /** Records that left the ledger need no mark that they were reported. */
  private void forget(List<SinkRecord> records) {
    if (!reported.isEmpty()) {
      for (SinkRecord r : records) {
        reported.remove(r);
      }
    }
  }

  private List<SinkRecord> unreported(List<SinkRecord> records) {
    List<SinkRecord> batch = new ArrayList<>(records.size());
    for (SinkRecord r : records) {
      if (!reported.containsKey(r)) {
        batch.add(r);
      }
    }
    return batch;
  }

  /** After a flush QuestDB acknowledged: the back-off starts again from its first step. */
  private void landed() {
    if (failedAttempts > 0) {
      log.info(
          "QuestDB at {} reachable again after {} failed attempts; the waiting records landed",
          clientConf.baseUrl(),
          failedAttempts);
    }
    failedAttempts = 0;
    backoffMs = config.getLong(QuestDbSinkConfig.RETRY_BACKOFF_MS);
  }

  /**
   * Writes {@code batch}, in as few requests as the client's buffer allows; if QuestDB refuses a
   * request, bisects it to find the records it refuses.
   */
  private void send(List<SinkRecord> batch) throws QuestDbHttp.UnavailableException {
    int done = 0;
    while (done < batch.size()) {
      Encoded e = encode(batch.subList(done, batch.size()));
      done += e.consumed();
      if (!e.records().isEmpty()) {
        flush(e);
      }
    }
  }

  /** Records whose rows are in the client's buffer, and how many of the input were dealt with. */
  private record Encoded(List<SinkRecord> records, int consumed, long rows) {}

  /**
   * Sends the client's buffer. If that fails, the same bytes go to QuestDB once more with the
   * task's own HTTP client, whose answer carries the status the ILP client's exception does not:
   * accepted (the failure was passing), 5xx or no answer (QuestDB's state: wait and retry), 401 or
   * 403 (credentials: the task stops), another 4xx (the content: bisect).
   */
  private void flush(Encoded e) throws QuestDbHttp.UnavailableException {
    try {
      sender().flush();
      rowsWritten += e.rows();
      return;
    } catch (RuntimeException failed) {
      byte[] body = bufferBytes();
      closeSender();
      QuestDbHttp.WriteAnswer answer =
          body.length == 0
              ? new QuestDbHttp.WriteAnswer(0, null, "the client's buffer was gone")
              : http.write(body);
      if (answer.accepted()) {
        rowsWritten += e.rows();
        return;
      }
      if (answer.transientFailure()) {
        throw new QuestDbHttp.UnavailableException(
            failed.getMessage()
                + (answer.status() == 0 ? "" : " (then HTTP " + answer.status() + ")"),
            failed);
      }
      if (answer.unauthorized()) {
        throw new ConnectException(
            "QuestDB at "
                + clientConf.baseUrl()
                + " refused the sink's credentials (HTTP "
                + answer.status()
                + "): set username and password, or token, in "
                + QuestDbSinkConfig.CLIENT_CONF_STRING,
            failed);
      }
      if (e.records().size() == 1) {
        report(
            e.records().get(0),
            new BadRecordException(
                "QuestDB refused the record's rows (HTTP "
                    + answer.status()
                    + (answer.code() == null ? "" : ", " + answer.code())
                    + "): "
                    + answer.message(),
                failed));
        return;
      }
      log.debug(
          "QuestDB refused a batch of {} records (HTTP {}); bisecting",
          e.records().size(),
          answer.status());
    }
    int half = e.records().size() / 2;
    send(new ArrayList<>(e.records().subList(0, half)));
    send(new ArrayList<>(e.records().subList(half, e.records().size())));
  }

  /** A copy of the request the client failed to send, or nothing if it has none. */
  private byte[] bufferBytes() {
    try {
      io.questdb.client.std.bytes.DirectByteSlice view = sender().bufferView();
      byte[] bytes = new byte[view.size()];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = view.byteAt(i);
      }
      return bytes;
    } catch (RuntimeException e) {
      return new byte[0];
    }
  }

  /**
   * Puts the rows of {@code batch} into the client's buffer, until the batch ends or the buffer is
   * full; a record that cannot be mapped is reported and left out. On any exception the buffer is
   * dropped, so no row of this attempt is sent later by accident.
   */
  private Encoded encode(List<SinkRecord> batch) throws QuestDbHttp.UnavailableException {
    RowWriter w;
    try {
      w = writer();
    } catch (RuntimeException e) {
      closeSender();
      if (!http.ping()) {
        throw new QuestDbHttp.UnavailableException(e.getMessage(), e);
      }
      throw new ConnectException(
          "cannot create QuestDB's ILP client for " + clientConf.baseUrl() + ": " + e.getMessage(),
          e);
    }
    try {
      return encode(batch, w);
    } catch (QuestDbHttp.UnavailableException | RuntimeException e) {
      closeSender();
      throw e;
    }
  }

  private Encoded encode(List<SinkRecord> batch, RowWriter w)
      throws QuestDbHttp.UnavailableException {
    List<SinkRecord> encoded = new ArrayList<>(batch.size());
    long rows = 0;
    for (int i = 0; i < batch.size(); i++) {
      SinkRecord r = batch.get(i);
      RowPlan plan;
      try {
        plan = plan(r);
        ensureTable(plan);
      } catch (BadRecordException e) {
        report(r, e);
        continue;
      }
      int before = encoded.size();
      try {
        rows += plan.write(r, w);
        encoded.add(r);
      } catch (io.questdb.client.cutlass.http.client.HttpClientException full) {
        // The client's buffer (max_buf_size) is full: send what is in it, the rest follows.
        w.cancelRow();
        if (before == 0) {
          report(
              r,
              new BadRecordException(
                  "the record's rows alone exceed the client's buffer (raise max_buf_size in "
                      + QuestDbSinkConfig.CLIENT_CONF_STRING
                      + "): "
                      + full.getMessage(),
                  full));
          closeSender();
          return new Encoded(List.of(), i + 1, 0);
        }
        // Rows of this record may be complete in the buffer: start it again without them.
        closeSender();
        Encoded again = encode(new ArrayList<>(encoded), writer());
        return new Encoded(again.records(), i, again.rows());
      } catch (RuntimeException e) {
        // The ILP client refused a name or value of this record, possibly after some of its
        // rows were complete: start the buffer again without the record.
        w.cancelRow();
        report(
            r,
            e instanceof BadRecordException b
                ? b
                : new BadRecordException("QuestDB's client refused the record: " + e, e));
        closeSender();
        List<SinkRecord> rest = new ArrayList<>(encoded.subList(0, before));
        rest.addAll(batch.subList(i + 1, batch.size()));
        Encoded again = encode(rest, writer());
        return new Encoded(again.records(), i + 1 + (again.consumed() - before), again.rows());
      }
    }
    return new Encoded(encoded, batch.size(), rows);
  }

  private RowPlan plan(SinkRecord r) {
    Object value = r.value();
    if (value == null) {
      throw new BadRecordException(
          "a tombstone (null value) has no row to write in a time-series table");
    }
    Schema schema = r.valueSchema();
    Object plan;
    if (schema == lastSchema && r.topic().equals(lastTopic)) {
      plan = lastPlan;
    } else {
      TopicMapping m = mapping(r.topic());
      Map<Schema, Object> byschema = plans.computeIfAbsent(m, k -> new HashMap<>());
      plan = byschema.get(schema);
      if (plan == null) {
        try {
          plan = RowPlan.compile(m, schema);
        } catch (BadRecordException e) {
          plan = e;
        }
        byschema.put(schema, plan);
      }
      lastSchema = schema;
      lastTopic = r.topic();
      lastPlan = plan;
    }
    if (plan instanceof BadRecordException e) {
      throw new BadRecordException(e.getMessage());
    }
    if (!(value instanceof org.apache.kafka.connect.data.Struct)) {
      throw new BadRecordException(
          "the value is a " + value.getClass().getName() + ", not a Struct with a schema");
    }
    return (RowPlan) plan;
  }

  private void ensureTable(RowPlan plan) throws QuestDbHttp.UnavailableException {
    String table = plan.mapping().table();
    if (readyTables.contains(table)) {
      return;
    }
    try {
      if (guard.check(table, plan.mapping()) == TableGuard.State.MISSING) {
        if (!config.getBoolean(QuestDbSinkConfig.CREATE_TABLES)) {
          throw new ConnectException(
              "table '"
                  + table
                  + "' does not exist and "
                  + QuestDbSinkConfig.CREATE_TABLES
                  + " is false: create it (WAL, with DEDUP UPSERT KEYS) or let the sink");
        }
        String sql = TableGuard.createSql(table, plan);
        log.info("creating table {}: {}", table, sql);
        guard.create(table, plan);
        guard.check(table, plan.mapping());
      }
    } catch (QuestDbHttp.RefusedException e) {
      throw new ConnectException(
          "QuestDB refused to check or create table '" + table + "': " + e.getMessage(), e);
    }
    readyTables.add(table);
  }

  private void report(SinkRecord record, BadRecordException e) {
    if (reported.put(record, Boolean.TRUE) != null) {
      return;
    }
    String where = record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset();
    if (reporter == null) {
      throw new ConnectException(
          "record "
              + where
              + " cannot be written ("
              + e.getMessage()
              + ") and the connector has no dead letter queue: set errors.tolerance=all and"
              + " errors.deadletterqueue.topic.name to keep such records and go on",
          e);
    }
    recordsReported++;
    log.warn("record {} goes to the dead letter queue: {}", where, e.getMessage());
    dlqWrites.add(reporter.report(record, e));
  }

  /**
   * Waits until the dead letter queue has every record reported so far. Connect waits for the
   * reports made in {@code put} before it calls {@link #preCommit}, but not for those made in it.
   *
   * @throws ConnectException if one could not be written: no offset past it may be committed
   */
  private void awaitDlqWrites() {
    try {
      for (java.util.concurrent.Future<Void> f : dlqWrites) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      dlqWrites.clear();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectException("interrupted while writing to the dead letter queue", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new ConnectException(
          "a record could not be written to the dead letter queue, so no offset past it is"
              + " committed: "
              + e,
          e);
    }
  }

  private Sender sender() {
    if (sender == null) {
      sender = spare != null ? spare : Sender.fromConfig(clientConf.senderConf());
      spare = null;
    }
    return sender;
  }

  private RowWriter writer() {
    if (out == null || sender == null) {
      out = new SenderRowWriter(sender());
    }
    return out;
  }

  private void closeSender() {
    Sender s = sender;
    sender = null;
    out = null;
    close(s);
  }

  private void close(Sender s) {
    if (s != null) {
      try {
        s.reset();
      } catch (RuntimeException ignored) {
        // Dropping the buffer is all that matters here.
      }
      try {
        s.close();
      } catch (RuntimeException e) {
        log.debug("closing the ILP client after a failed flush: {}", e.toString());
      }
    }
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    boolean backingOff = failedAttempts > 0 && System.nanoTime() - nextAttemptNanos < 0;
    if ((!pending.isEmpty() || inflight != null) && !backingOff) {
      try {
        flushPending();
      } catch (ConnectException e) {
        fatal = e;
        throw e;
      } catch (QuestDbHttp.UnavailableException e) {
        // The next put() sends synchronously and backs off.
        failedAttempts = Math.max(failedAttempts, 1);
        failedAttemptsTotal++;
        log.debug(
            "flush before commit failed; committing acknowledged offsets only: {}", e.getMessage());
      }
    }
    awaitDlqWrites();
    return committable(currentOffsets);
  }

  /** Per partition: the first waiting record's offset, or Connect's own if none waits. */
  Map<TopicPartition, OffsetAndMetadata> committable(
      Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    Map<TopicPartition, Long> firstWaiting = new HashMap<>();
    List<SinkRecord> waiting = new ArrayList<>(inflightRecords);
    waiting.addAll(pending);
    for (SinkRecord r : waiting) {
      firstWaiting.merge(
          new TopicPartition(r.originalTopic(), r.originalKafkaPartition()),
          r.originalKafkaOffset(),
          Math::min);
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    currentOffsets.forEach(
        (tp, om) -> {
          Long first = firstWaiting.get(tp);
          out.put(tp, first == null ? om : new OffsetAndMetadata(first));
        });
    return out;
  }

  @Override
  public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    // preCommit does the work.
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    // Records of partitions this task loses go to their next owner from the committed offsets.
    try {
      awaitInflight();
    } catch (QuestDbHttp.UnavailableException e) {
      log.debug("flush before losing partitions failed; their records go to the next owner");
    }
    Set<TopicPartition> lost = new java.util.HashSet<>(partitions);
    pending.removeIf(
        r -> lost.contains(new TopicPartition(r.originalTopic(), r.originalKafkaPartition())));
    reported
        .keySet()
        .removeIf(
            r -> lost.contains(new TopicPartition(r.originalTopic(), r.originalKafkaPartition())));
  }

  @Override
  public void stop() {
    log.info(
        "QuestDB sink task stopping: {} rows written, {} records to the DLQ, {} records waiting"
            + " (not committed; delivered again on the next start)",
        rowsWritten,
        recordsReported,
        pending.size() + inflightRecords.size());
    if (inflight != null) {
      try {
        inflight.get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("the last batch did not finish: {}", e.toString());
      }
    }
    // The flush thread closes the client in flight after its flush, never during it.
    Sender last = inflightSender;
    flusher.execute(() -> close(last));
    flusher.shutdown();
    closeSender();
    close(spare);
  }
}
