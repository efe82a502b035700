#!/usr/bin/env node
// Independent checker for the biometer pipeline.
// Reads the pipeline's topics with kafkajs (read_committed) and decodes values with avsc,
// using writer schemas fetched from the Confluent-compatible schema registry by id.
// Shares no code with the project.
//
// Usage: node check.mjs --bootstrap HOST:PORT --registry http://HOST:PORT [--json out.json]
//                       [--idle-timeout SECONDS] [--max-list N]
import kafkajs from 'kafkajs';
import avro from 'avsc';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import lz4 from 'lz4js';
import snappy from 'snappyjs';
import { decompress as zstdDecompress } from 'fzstd';

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = kafkajs;

// ---------------------------------------------------------------- compression codecs
// kafkajs only ships gzip. Register pure-JS decompressors for the other Kafka codecs
// (the project's producers use lz4). Compression is never needed: this tool only reads.
const readOnly = (name, fn) => () => ({
  compress: async () => { throw new Error(`${name} compression not supported (read-only tool)`); },
  decompress: async (buf) => Buffer.from(fn(buf)),
});
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
function snappyDecompress(buf) {
  // Kafka's Java client writes snappy in xerial framing: 16-byte header, then [int32 length][raw snappy block]...
  if (buf.length >= 16 && buf.subarray(0, 8).equals(XERIAL_MAGIC)) {
    const parts = [];
    for (let pos = 16; pos < buf.length;) {
      const len = buf.readInt32BE(pos); pos += 4;
      parts.push(Buffer.from(snappy.uncompress(buf.subarray(pos, pos + len)))); pos += len;
    }
    return Buffer.concat(parts);
  }
  return snappy.uncompress(buf);
}
CompressionCodecs[CompressionTypes.LZ4] = readOnly('lz4', (b) => lz4.decompress(b));
CompressionCodecs[CompressionTypes.Snappy] = readOnly('snappy', snappyDecompress);
CompressionCodecs[CompressionTypes.ZSTD] = readOnly('zstd', (b) => zstdDecompress(new Uint8Array(b.buffer, b.byteOffset, b.length)));

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const a = { bootstrap: null, registry: null, json: null, idleTimeout: 30, maxList: 20 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`missing value for ${k}`);
      return argv[++i];
    };
    if (k === '--bootstrap') a.bootstrap = next();
    else if (k === '--registry') a.registry = next().replace(/\/+$/, '');
    else if (k === '--json') a.json = next();
    else if (k === '--idle-timeout') a.idleTimeout = Number(next());
    else if (k === '--max-list') a.maxList = Number(next());
    else if (k === '-h' || k === '--help') usage(null);
    else usage(`unknown argument ${k}`);
  }
  if (!a.bootstrap || !a.registry) usage('--bootstrap and --registry are required');
  return a;
}
function usage(msg) {
  if (msg) console.error(`error: ${msg}`);
  console.error('usage: node check.mjs --bootstrap HOST:PORT --registry http://HOST:PORT [--json out.json] [--idle-timeout 30] [--max-list 20]');
  process.exit(msg ? 2 : 0);
}
const args = parseArgs(process.argv.slice(2));
const MAX = args.maxList;

const T = {
  body: 'telemetry.body.readings',
  meter: 'telemetry.meter.readings',
  clean: 'telemetry.readings.clean',
  dlq: 'telemetry.dlq',
  alerts: 'telemetry.alerts',
  aggs: 'telemetry.aggregates.daily',
  devices: 'telemetry.devices',
};
const TOPICS = Object.values(T);
const RAW_TOPICS = new Set([T.body, T.meter]);
const H_REASON = 'biometer.dlq.reason';
const H_SRC_TOPIC = 'biometer.dlq.source.topic';
const H_SRC_PART = 'biometer.dlq.source.partition';
const H_SRC_OFF = 'biometer.dlq.source.offset';

// ---------------------------------------------------------------- schema registry + decoding
const typeCache = new Map(); // id -> Promise<{type, name}>
async function httpJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} -> HTTP ${res.status}`);
  return res.json();
}
// Resolves Confluent schema references (if any) into an avsc registry before parsing.
async function loadReferences(refs, registry, seen) {
  for (const ref of refs || []) {
    const key = `${ref.subject}/${ref.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const body = await httpJson(`${args.registry}/subjects/${encodeURIComponent(ref.subject)}/versions/${ref.version}`);
    await loadReferences(body.references, registry, seen);
    avro.Type.forSchema(JSON.parse(body.schema), { registry });
  }
}
function getType(id) {
  if (!typeCache.has(id)) {
    typeCache.set(id, (async () => {
      const body = await httpJson(`${args.registry}/schemas/ids/${id}`);
      if (body.schemaType && body.schemaType !== 'AVRO') throw new Error(`schema ${id} is ${body.schemaType}, not AVRO`);
      const registry = {};
      await loadReferences(body.references, registry, new Set());
      // No logicalTypes option: timestamp-millis / date are read as their underlying long / int.
      const type = avro.Type.forSchema(JSON.parse(body.schema), { registry });
      return { type, name: type.name || type.typeName };
    })());
  }
  return typeCache.get(id);
}
// Returns {ok:true, value, schemaId, schemaName} or {ok:false, error}
async function decode(buf) {
  if (buf == null) return { ok: false, error: 'null value' };
  if (buf.length < 5) return { ok: false, error: `too short (${buf.length} bytes)` };
  if (buf[0] !== 0) return { ok: false, error: `bad magic byte ${buf[0]}` };
  const id = buf.readInt32BE(1);
  let t;
  try { t = await getType(id); } catch (e) { typeCache.delete(id); return { ok: false, error: `schema id ${id}: ${e.message}` }; }
  try {
    // fromBuffer throws on truncated data and on trailing bytes
    return { ok: true, value: t.type.fromBuffer(buf.subarray(5)), schemaId: id, schemaName: t.name };
  } catch (e) {
    return { ok: false, error: `avro decode with schema ${id}: ${e.message}` };
  }
}

// ---------------------------------------------------------------- state collected while reading
const partInfo = {}; // topic -> partition -> {low, high, read, lastPos, done}
const stats = {
  undecodable: {}, // topic -> count
  undecodableSamples: [],
  schemaNames: {}, // topic -> {name: count}
  keyMismatch: {}, // topic -> count of records whose key != deviceId
  tombstones: {},
};
const raw = new Map(); // "dev#seq" -> {topic, p, o, eventTime, copies}
let rawRecords = 0;
const rawHashes = new Map(); // "topic/p/o" -> sha1 of value
const clean = new Map(); // "dev#seq" -> {count, p, o, eventTime, locs: []}
let cleanRecords = 0;
const cleanSeries = new Map(); // "dev|channel" -> [{t, v}]
const cleanPartsByDevice = new Map(); // deviceId -> Set of clean partitions holding its records
const dlqByReason = {}; // reason -> sourceTopic -> count
const dlqKeys = new Map(); // "dev#seq" -> {reasons:Set, p, o}
const dlqUndecodableByReason = {};
const dlqVerify = []; // {srcTopic, srcPart, srcOff, hash, p, o}
let dlqRecords = 0;
const alerts = []; // {p, o, deviceId, rule, state}
const aggs = new Map(); // key -> [{p, o, v}]
const devices = new Map(); // key -> value (latest, tombstone deletes)

const inc = (obj, k, n = 1) => { obj[k] = (obj[k] || 0) + n; };
const hdr = (m, name) => (m.headers && m.headers[name] != null ? m.headers[name].toString('utf8') : null);
const sha1 = (b) => createHash('sha1').update(b).digest('base64');

async function handle(topic, p, m) {
  const o = Number(m.offset);
  const key = m.key ? m.key.toString('utf8') : null;
  if (topic === T.devices && m.value == null) { inc(stats.tombstones, topic); devices.delete(key); return; }
  if (topic === T.dlq) return handleDlq(p, o, key, m);
  const d = await decode(m.value);
  if (!d.ok) {
    inc(stats.undecodable, topic);
    if (stats.undecodableSamples.length < MAX) stats.undecodableSamples.push(`${topic}/${p}@${o}: ${d.error}`);
    return;
  }
  stats.schemaNames[topic] ??= {};
  inc(stats.schemaNames[topic], d.schemaName);
  const v = d.value;
  if (v.deviceId !== undefined && key !== v.deviceId && topic !== T.aggs) inc(stats.keyMismatch, topic);
  if (RAW_TOPICS.has(topic)) {
    rawRecords++;
    rawHashes.set(`${topic}/${p}/${o}`, sha1(m.value));
    const k = `${v.deviceId}#${v.sequence}`;
    const e = raw.get(k);
    if (e) e.copies++; else raw.set(k, { topic, p, o, eventTime: v.eventTime, copies: 1 });
  } else if (topic === T.clean) {
    cleanRecords++;
    if (!cleanPartsByDevice.has(v.deviceId)) cleanPartsByDevice.set(v.deviceId, new Set());
    cleanPartsByDevice.get(v.deviceId).add(p);
    const k = `${v.deviceId}#${v.sequence}`;
    const e = clean.get(k);
    if (e) { e.count++; if (e.locs.length < 5) e.locs.push(`${p}@${o}`); return; }
    clean.set(k, { count: 1, p, o, eventTime: v.eventTime, locs: [`${p}@${o}`] });
    for (const cv of v.values || []) {
      const sk = `${v.deviceId}|${cv.channel}`;
      if (!cleanSeries.has(sk)) cleanSeries.set(sk, []);
      cleanSeries.get(sk).push({ t: v.eventTime, v: cv.value });
    }
  } else if (topic === T.alerts) {
    alerts.push({ p, o, deviceId: v.deviceId, rule: v.rule, state: v.state, key });
  } else if (topic === T.aggs) {
    const k = key ?? `${v.deviceId}|${v.channel}|${v.day}`;
    if (!aggs.has(k)) aggs.set(k, []);
    aggs.get(k).push({ p, o, v });
  } else if (topic === T.devices) {
    devices.set(key, v);
  }
}

async function handleDlq(p, o, key, m) {
  dlqRecords++;
  const reason = hdr(m, H_REASON) ?? '(no reason header)';
  const srcTopic = hdr(m, H_SRC_TOPIC) ?? '(no source header)';
  dlqByReason[reason] ??= {};
  inc(dlqByReason[reason], srcTopic);
  if (!RAW_TOPICS.has(srcTopic)) return;
  const srcPart = hdr(m, H_SRC_PART), srcOff = hdr(m, H_SRC_OFF);
  dlqVerify.push({ srcTopic, srcPart, srcOff, hash: m.value ? sha1(m.value) : null, p, o, reason });
  const d = await decode(m.value);
  if (!d.ok) {
    inc(dlqUndecodableByReason, reason);
    return;
  }
  const k = `${d.value.deviceId}#${d.value.sequence}`;
  const e = dlqKeys.get(k);
  if (e) e.reasons.add(reason); else dlqKeys.set(k, { reasons: new Set([reason]), p, o });
}

// ---------------------------------------------------------------- reading
async function main() {
  const kafka = new Kafka({ clientId: 'indep-check', brokers: args.bootstrap.split(','), logLevel: process.env.KAFKAJS_LOG ? logLevel[process.env.KAFKAJS_LOG] : logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const missingTopics = TOPICS.filter((t) => !existing.has(t));
  const present = TOPICS.filter((t) => existing.has(t));
  for (const t of present) {
    const offs = await admin.fetchTopicOffsets(t); // [{partition, offset, high, low}]
    partInfo[t] = {};
    for (const x of offs) {
      const low = Number(x.low), high = Number(x.high);
      partInfo[t][x.partition] = { low, high, read: 0, lastPos: low, done: high <= low, lastProcessed: -1 };
    }
  }

  const groupId = `indep-check-${process.pid}-${Date.now()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 500 });
  let lastProgress = Date.now();
  const allDone = () => present.every((t) => Object.values(partInfo[t]).every((x) => x.done));
  const advance = (topic, partition, nextPos) => {
    const pi = partInfo[topic]?.[partition];
    if (!pi) return;
    if (nextPos > pi.lastPos) { pi.lastPos = nextPos; lastProgress = Date.now(); }
    if (pi.lastPos >= pi.high) pi.done = true;
  };
  // END_BATCH_PROCESS also fires for batches made only of control records / aborted data,
  // so the position moves past transaction markers at the end of a partition.
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const { topic, partition, lastOffset } = e.payload;
    if (lastOffset != null) advance(topic, partition, Number(lastOffset) + 1);
  });
  let incomplete = [];
  if (present.length > 0 && !allDone()) {
    await consumer.connect();
    await consumer.subscribe({ topics: present, fromBeginning: true });
    let finish;
    const finished = new Promise((r) => { finish = r; });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const pi = partInfo[batch.topic]?.[batch.partition];
        if (!pi) return;
        for (const m of batch.messages) {
          const o = Number(m.offset);
          if (o >= pi.high || o <= pi.lastProcessed) continue; // beyond snapshot, or redelivered
          pi.lastProcessed = o;
          pi.read++;
          await handle(batch.topic, batch.partition, m);
        }
        advance(batch.topic, batch.partition, Number(batch.lastOffset()) + 1);
        await heartbeat();
        if (allDone()) finish();
      },
    });
    const timer = setInterval(() => {
      if (allDone() || Date.now() - lastProgress > args.idleTimeout * 1000) finish();
    }, 250);
    await finished;
    clearInterval(timer);
    await consumer.disconnect();
    try { await admin.deleteGroups([groupId]); } catch { /* group may already be gone */ }
  }
  for (const t of present) for (const [p, x] of Object.entries(partInfo[t])) if (!x.done) incomplete.push(`${t}/${p} (read to ${x.lastPos} of ${x.high})`);
  await admin.disconnect();
  return { missingTopics, incomplete };
}

// ---------------------------------------------------------------- analysis
function analyse({ missingTopics, incomplete }) {
  const rows = [];
  const row = (check, expected, observed, verdict, details = []) => rows.push({ check, expected: String(expected), observed: String(observed), verdict, details });
  const pf = (ok) => (ok ? 'PASS' : 'FAIL');
  const cap = (list) => (list.length > MAX ? [...list.slice(0, MAX), `... and ${list.length - MAX} more`] : list);

  // --- reading completeness
  row('all topics exist', TOPICS.length, TOPICS.length - missingTopics.length, pf(missingTopics.length === 0), missingTopics.map((t) => `missing topic ${t}`));
  const nParts = Object.values(partInfo).reduce((n, ps) => n + Object.keys(ps).length, 0);
  row('partitions read to snapshot end (read_committed)', nParts, nParts - incomplete.length, pf(incomplete.length === 0), incomplete);
  const truncated = [];
  for (const [t, ps] of Object.entries(partInfo)) for (const [p, x] of Object.entries(ps)) if (x.low > 0) truncated.push(`${t}/${p}: log start offset ${x.low} (offsets 0..${x.low - 1} deleted)`);
  row('partitions with deleted records (log start > 0)', 0, truncated.length, truncated.length ? 'WARN' : 'INFO', truncated);
  const undec = Object.entries(stats.undecodable).map(([t, n]) => `${t}: ${n}`);
  row('undecodable values outside DLQ (info)', '-', Object.values(stats.undecodable).reduce((a, b) => a + b, 0), 'INFO', [...undec, ...stats.undecodableSamples.slice(0, 5)]);
  const km = Object.entries(stats.keyMismatch).map(([t, n]) => `${t}: ${n}`);
  row('records whose key != deviceId (info)', 0, Object.values(stats.keyMismatch).reduce((a, b) => a + b, 0), 'INFO', km);

  // --- readings: raw vs clean vs DLQ
  const rawDistinct = raw.size;
  let dlqOnly = 0, overlap = 0;
  const overlapByReason = {};
  for (const [k, e] of dlqKeys) {
    if (clean.has(k)) { overlap++; for (const r of e.reasons) inc(overlapByReason, r); } else dlqOnly++;
  }
  const observedSum = clean.size + dlqOnly;
  row('distinct raw readings = clean distinct + DLQ-only distinct', rawDistinct,
    `${observedSum} (clean ${clean.size} + DLQ ${dlqOnly})`, pf(rawDistinct === observedSum),
    [`raw records ${rawRecords} (body+meter, decoded), clean records ${cleanRecords}, DLQ reading keys ${dlqKeys.size}`]);
  const missing = [];
  const lowOf = (t, p) => partInfo[t]?.[p]?.low ?? 0;
  for (const [k, e] of raw) {
    if (clean.has(k) || dlqKeys.has(k)) continue;
    const dev = k.slice(0, k.lastIndexOf('#'));
    const truncatedParts = [...(cleanPartsByDevice.get(dev) || [])].filter((p) => lowOf(T.clean, p) > 0);
    const hint = truncatedParts.length ? `  [device's clean partition ${truncatedParts.map((p) => `${p} has log start ${lowOf(T.clean, p)}`).join(', ')}: possibly deleted by retention]` : '';
    missing.push(`${k}  first seen ${e.topic}/${e.p}@${e.o} eventTime ${new Date(e.eventTime).toISOString()} copies ${e.copies}${hint}`);
  }
  row('raw readings MISSING (neither clean nor DLQ)', 0, missing.length, pf(missing.length === 0), cap(missing));
  const dups = [];
  for (const [k, e] of clean) if (e.count > 1) dups.push(`${k} x${e.count} at ${e.locs.join(', ')}`);
  row('clean keys appearing more than once', 0, dups.length, pf(dups.length === 0), cap(dups));
  const cleanNotRaw = [];
  for (const [k, e] of clean) if (!raw.has(k)) cleanNotRaw.push(`${k} at ${T.clean}/${e.p}@${e.o}`);
  row('clean keys not in raw', 0, cleanNotRaw.length, pf(cleanNotRaw.length === 0), cap(cleanNotRaw));
  const dlqNotRaw = [];
  for (const [k, e] of dlqKeys) if (!raw.has(k)) dlqNotRaw.push(`${k} at ${T.dlq}/${e.p}@${e.o}`);
  row('DLQ reading keys not in raw (info)', 0, dlqNotRaw.length, 'INFO', cap(dlqNotRaw));
  row('readings both in clean and DLQ (info)', '-', overlap, 'INFO', Object.entries(overlapByReason).map(([r, n]) => `${r}: ${n}`));
  const dlqUndec = Object.values(dlqUndecodableByReason).reduce((a, b) => a + b, 0);
  row('DLQ values (from reading topics) that do not decode (info)', '-', dlqUndec, 'INFO', Object.entries(dlqUndecodableByReason).map(([r, n]) => `${r}: ${n}`));

  // --- DLQ by reason + byte-identity with the source record
  const reasonLines = [];
  for (const [r, bySrc] of Object.entries(dlqByReason).sort()) for (const [s, n] of Object.entries(bySrc)) reasonLines.push(`${r.padEnd(20)} ${s.padEnd(28)} ${n}`);
  row('DLQ records by reason / source topic (info)', '-', dlqRecords, 'INFO', reasonLines);
  let verified = 0, unverifiable = 0;
  const byteMismatch = [];
  for (const x of dlqVerify) {
    const h = rawHashes.get(`${x.srcTopic}/${x.srcPart}/${x.srcOff}`);
    if (h === undefined) { unverifiable++; continue; }
    if (h === x.hash) verified++; else byteMismatch.push(`${T.dlq}/${x.p}@${x.o} (${x.reason}) differs from ${x.srcTopic}/${x.srcPart}@${x.srcOff}`);
  }
  row('DLQ value == bytes of source record (verifiable ones)', verified + byteMismatch.length, `${verified} (unverifiable ${unverifiable})`, pf(byteMismatch.length === 0), cap(byteMismatch));

  // --- alerts
  alerts.sort((a, b) => a.p - b.p || a.o - b.o);
  const byRule = new Map();
  for (const a of alerts) {
    const k = `${a.deviceId}|${a.rule}`;
    if (!byRule.has(k)) byRule.set(k, []);
    byRule.get(k).push(a);
  }
  let clearedNoRaised = 0, raisedTwice = 0, split = 0;
  const cnrList = [], rrList = [], splitList = [];
  for (const [k, list] of byRule) {
    const parts = new Set(list.map((a) => a.p));
    if (parts.size > 1) { split++; splitList.push(`${k}: spread over partitions ${[...parts].join(',')} (order undefined)`); }
    let prev = null;
    for (const a of list) {
      if (a.state === 'CLEARED' && prev !== 'RAISED') {
        clearedNoRaised++;
        const low = lowOf(T.alerts, a.p);
        cnrList.push(`${k}: CLEARED without preceding RAISED at ${a.p}@${a.o}${prev ? ` (after ${prev})` : ` (first transition${low > 0 ? `; partition ${a.p} log start ${low} > 0, the RAISED may have been deleted by retention` : ''})`}`);
      }
      if (a.state === 'RAISED' && prev === 'RAISED') { raisedTwice++; rrList.push(`${k}: RAISED after RAISED at ${a.p}@${a.o}`); }
      prev = a.state;
    }
  }
  row(`alerts: CLEARED without preceding RAISED (${byRule.size} device/rule pairs, ${alerts.length} alerts)`, 0, clearedNoRaised, pf(clearedNoRaised === 0));
  rows[rows.length - 1].details = cap(cnrList);
  row('alerts: RAISED after RAISED', 0, raisedTwice, pf(raisedTwice === 0), cap(rrList));
  row('alerts: device/rule spread over >1 partition', 0, split, pf(split === 0), cap(splitList));

  // --- aggregates
  for (const list of cleanSeries.values()) list.sort((a, b) => a.t - b.t);
  const lowerBound = (arr, t) => { let lo = 0, hi = arr.length; while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid].t < t) lo = mid + 1; else hi = mid; } return lo; };
  const recompute = (v) => {
    const arr = cleanSeries.get(`${v.deviceId}|${v.channel}`) || [];
    let count = 0, min = Infinity, max = -Infinity, sum = 0, first = null, last = null;
    for (let i = lowerBound(arr, v.windowStart); i < arr.length && arr[i].t < v.windowEnd; i++) {
      const x = arr[i];
      count++; sum += x.v;
      if (x.v < min) min = x.v;
      if (x.v > max) max = x.v;
      if (first === null) first = x.t;
      last = x.t;
    }
    return { count, min, max, mean: count ? sum / count : NaN, firstEventTime: first, lastEventTime: last };
  };
  const relEq = (a, b) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  const compare = (k, rec) => {
    const v = rec.v, r = recompute(v), diffs = [];
    if (Number(v.count) !== r.count) diffs.push(`count ${v.count} vs ${r.count}`);
    if (r.count > 0) {
      if (v.min !== r.min) diffs.push(`min ${v.min} vs ${r.min}`);
      if (v.max !== r.max) diffs.push(`max ${v.max} vs ${r.max}`);
      if (!relEq(v.mean, r.mean)) diffs.push(`mean ${v.mean} vs ${r.mean}`);
      if (v.firstEventTime !== r.firstEventTime) diffs.push(`first ${v.firstEventTime} vs ${r.firstEventTime}`);
      if (v.lastEventTime !== r.lastEventTime) diffs.push(`last ${v.lastEventTime} vs ${r.lastEventTime}`);
    }
    return diffs.length ? `${k} at ${rec.p}@${rec.o} (aggregate vs recomputed): ${diffs.join('; ')}` : null;
  };
  let finals = 0, openKeys = 0, afterFinal = 0;
  const finalBad = [], openBad = [], finalityBad = [];
  for (const [k, list] of aggs) {
    list.sort((a, b) => a.p - b.p || a.o - b.o);
    const finIdx = list.map((r, i) => (r.v.isFinal ? i : -1)).filter((i) => i >= 0);
    if (finIdx.length) {
      finals++;
      const firstFin = list[finIdx[0]];
      const lastFin = list[finIdx[finIdx.length - 1]];
      const bad = compare(k, lastFin);
      if (bad) finalBad.push(bad);
      // once final, figures can no longer change
      for (let i = finIdx[0] + 1; i < list.length; i++) {
        const r = list[i].v, f = firstFin.v;
        const same = r.isFinal && Number(r.count) === Number(f.count) && r.min === f.min && r.max === f.max && relEq(r.mean, f.mean) && r.firstEventTime === f.firstEventTime && r.lastEventTime === f.lastEventTime;
        if (!same) { afterFinal++; finalityBad.push(`${k}: record at ${list[i].p}@${list[i].o} (isFinal=${r.isFinal}, count ${r.count}) after final at ${firstFin.p}@${firstFin.o} (count ${f.count})`); }
      }
    } else {
      openKeys++;
      const bad = compare(k, list[list.length - 1]);
      if (bad) openBad.push(bad);
    }
  }
  const aggRecords = [...aggs.values()].reduce((n, l) => n + l.length, 0);
  row(`aggregates: final ones match recomputation from clean (${aggs.size} keys, ${aggRecords} records)`, `${finals} of ${finals} match`, `${finals - finalBad.length} match, ${finalBad.length} mismatch`, pf(finalBad.length === 0), cap(finalBad));
  row('aggregates: records changing a key after its final record', 0, afterFinal, pf(afterFinal === 0), cap(finalityBad));
  row('aggregates: latest running (non-final) ones vs clean (info)', `${openKeys} of ${openKeys} match`, `${openKeys - openBad.length} match, ${openBad.length} differ`, 'INFO', cap(openBad));

  // --- devices (info)
  row('devices registered (latest, non-tombstone) (info)', '-', devices.size, 'INFO', []);
  return rows;
}

// ---------------------------------------------------------------- output
function render(rows) {
  const out = [];
  out.push('Partitions (log start = earliest offset, end = high watermark snapshot at start; read = committed data records read,');
  out.push('so end - log start - read = transaction markers + aborted records):');
  out.push(`  ${'topic'.padEnd(28)} ${'part'.padStart(4)} ${'log start'.padStart(10)} ${'end'.padStart(10)} ${'read'.padStart(10)}`);
  for (const [t, ps] of Object.entries(partInfo)) for (const [p, x] of Object.entries(ps)) {
    out.push(`  ${t.padEnd(28)} ${String(p).padStart(4)} ${String(x.low).padStart(10)} ${String(x.high).padStart(10)} ${String(x.read).padStart(10)}${x.low > 0 ? '   <-- RECORDS DELETED (log start > 0)' : ''}${x.done ? '' : '   <-- NOT FULLY READ'}`);
  }
  out.push('');
  const w = [3, Math.max(5, ...rows.map((r) => r.check.length)), Math.max(8, ...rows.map((r) => r.expected.length)), Math.max(8, ...rows.map((r) => r.observed.length)), 7];
  const line = (c) => `${c[0].padEnd(w[0])} | ${c[1].padEnd(w[1])} | ${c[2].padEnd(w[2])} | ${c[3].padEnd(w[3])} | ${c[4]}`;
  out.push(line(['#', 'check', 'expected', 'observed', 'verdict']));
  out.push(w.map((n) => '-'.repeat(n)).join('-+-'));
  rows.forEach((r, i) => out.push(line([String(i + 1), r.check, r.expected, r.observed, r.verdict])));
  out.push('');
  rows.forEach((r, i) => {
    if (!r.details.length) return;
    out.push(`[${i + 1}] ${r.check}:`);
    for (const d of r.details) out.push(`    ${d}`);
  });
  return out.join('\n');
}

try {
  const t0 = Date.now();
  const res = await main();
  const rows = analyse(res);
  const failed = rows.filter((r) => r.verdict === 'FAIL').length;
  console.log(render(rows));
  console.log(`\nOVERALL: ${failed ? `FAIL (${failed} failing check${failed > 1 ? 's' : ''})` : 'PASS'}  [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
  if (args.json) {
    writeFileSync(args.json, JSON.stringify({
      bootstrap: args.bootstrap, registry: args.registry, checkedAt: new Date().toISOString(), overall: failed ? 'FAIL' : 'PASS',
      partitions: Object.entries(partInfo).flatMap(([topic, ps]) => Object.entries(ps).map(([p, x]) => ({ topic, partition: Number(p), logStartOffset: x.low, endOffset: x.high, recordsRead: x.read, fullyRead: x.done, recordsDeleted: x.low > 0 }))),
      rows,
    }, null, 2));
  }
  process.exit(failed ? 1 : 0);
} catch (e) {
  console.error(`checker error: ${e.stack || e}`);
  process.exit(3);
}
