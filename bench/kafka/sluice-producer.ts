// sluice's Kafka write path alone: the sink's RecordProducer (runtime/connectors/kafka/producer.ts, on
// batch-sender.ts and record-batch.ts) producing a file's lines into a topic with the sink's default settings
// (acks=all, linger.ms 5), as bench/kafka/kafkajs-client.ts and JavaClient.java do with their clients. With
// --commit-every N, exactly-once as the sink writes it (two-phase-commit.ts: one transaction, a marker and a
// commit every N records, as a checkpoint would). One JSON line, as theirs:
//   node sluice-producer.mjs --brokers 127.0.0.1:9092 --topic T --count N --input FILE.csv [--commit-every N]
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { KafkaClient, type OutRecord } from '../../runtime/connectors/kafka/client.js';
import { RecordProducer, type RecordProducerOptions } from '../../runtime/connectors/kafka/producer.js';
import { readKafkaSettings } from '../../runtime/connectors/kafka/properties.js';
import { TwoPhaseCommit } from '../../runtime/connectors/kafka/two-phase-commit.js';
import { createLogger } from '../../runtime/core/log.js';

const argv = process.argv.slice(2);
const arg = (name: string) => { const i = argv.indexOf(`--${name}`); if (i < 0) throw new Error(`missing --${name}`); return argv[i + 1]; };
const topic = arg('topic');
const count = Number(arg('count'));
const commitEvery = argv.includes('--commit-every') ? Number(arg('commit-every')) : 0;
const log = createLogger('bench', 'warn');
const settings = readKafkaSettings({ 'properties.bootstrap.servers': arg('brokers') }, 'bench');
const lines = fs.readFileSync(arg('input'), 'latin1').split('\n', count);
const client = new KafkaClient(settings.client, log);
const options: RecordProducerOptions = { topic, settings: settings.producer, guarantee: commitEvery > 0 ? 'exactly-once' : 'at-least-once', partitioner: 'default', log };
const tx = commitEvery > 0
  ? await TwoPhaseCommit.open({ client, producer: options, consumer: settings.consumer, table: 'bench', log, prefix: `sluice-bench-${process.pid}`, scope: {}, subtask: 0, cluster: arg('brokers') }, null)
  : null;
const producer = tx?.producer ?? await RecordProducer.open(client, options);
/** A checkpoint: pre-commit (records and marker into the transaction, acknowledged), then commit. */
const checkpoint = async () => { await tx!.preCommit(); await tx!.commit(tx!.snapshot()); };
const CHUNK = 4096; // a source batch
const first = Date.now();
let uncommitted = 0;
for (let i = 0; i < lines.length; i += CHUNK) {
  const batch: OutRecord[] = [];
  for (let j = i; j < Math.min(i + CHUNK, lines.length); j++) batch.push({ key: null, value: lines[j] });
  await producer.add(batch);
  uncommitted += batch.length;
  if (tx && uncommitted >= commitEvery) { await checkpoint(); uncommitted = 0; }
}
if (tx) await checkpoint();
else await producer.flush();
const last = Date.now();
await (tx ?? producer).close();
console.log(JSON.stringify({
  engine: tx ? 'sluice-produce-eo' : 'sluice-produce', records: count, seconds: (last - first) / 1000, recordsPerSecond: Math.round((count - 1) / ((last - first) / 1000)),
  firstResultSeconds: (first - performance.timeOrigin) / 1000, firstEpochMs: first, lastEpochMs: last,
}));
process.exit(0);
