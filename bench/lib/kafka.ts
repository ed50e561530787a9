// The Kafka rows of the benchmark, on the real local broker (stack/up.sh kafka): N bids (the q0 input, one CSV
// line per record) in a one-partition topic, read and written by
//   sluice Kafka → blackhole   the q0 bundle with its tables swapped at run time to Kafka in, checksum sink out
//   sluice Kafka → Kafka       the q1 bundle reading the topic and writing its projection to another topic
//   kafkajs consume / produce  the Node client sluice's connector is built on, alone (bench/kafka/kafkajs-client.ts)
//   Java consume / produce     the JVM client the broker ships with (bench/kafka/JavaClient.java): the broker's side
// so the sluice rows can be read against the client's own ceiling. A Kafka source never ends: runs stop once all
// N records are through (the capture hook, or the harness watching the output topic), and throughput is taken
// from the first record to the last (the consumer group join and connecting are start-up, reported as the time
// to the first record). Answers: sluice's checksums are compared with the hand-written loops' on the same lines.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { Kafka, logLevel } from 'kafkajs';
import { Checksum } from './capture.js';
import { launch, prepare } from './engines.js';
import { measure } from './measure.js';
import { BENCH_DIR, REPO_DIR, WORK_DIR, inputFile } from './workloads.js';

export type KafkaEngine = 'sluice-kafka-blackhole' | 'sluice-kafka-kafka' | 'kafkajs-consume' | 'kafkajs-produce' | 'java-consume' | 'java-produce';

export const KAFKA_ENGINES: { name: KafkaEngine; label: string }[] = [
  { name: 'sluice-kafka-blackhole', label: 'sluice fused: Kafka → blackhole (q0, checksum sink)' },
  { name: 'kafkajs-consume', label: 'kafkajs consumer alone (same fetch settings)' },
  { name: 'java-consume', label: 'Java kafka-clients consumer alone' },
  { name: 'sluice-kafka-kafka', label: 'sluice fused: Kafka → Kafka (q1 projection)' },
  { name: 'kafkajs-produce', label: 'kafkajs producer alone (500 records a request, acks=all)' },
  { name: 'java-produce', label: 'Java kafka-clients producer alone (acks=all)' },
];

export interface KafkaResult {
  engine: KafkaEngine;
  records: number;
  rep: number;
  ok: boolean;
  error?: string;
  recordsPerSecond?: number;
  firstResultSeconds?: number;
  peakRssMb?: number;
  /** CPU seconds of the process tree, start-up included (a steadier measure than records/s on a shared machine). */
  cpuSeconds?: number;
  answerMatches?: boolean;
  loadAvg1?: number;
  when: string;
}

export interface KafkaOptions {
  records: number;
  repeat: number;
  brokers: string;
  timeoutS: number;
  /** Only these rows (all by default). */
  engines?: KafkaEngine[];
}

const CLIENT = path.join(WORK_DIR, 'build', 'kafkajs-client.mjs');
const CARRY = ['kafka'];
const JAVA_LIBS = path.join(REPO_DIR, '.stack', 'kafka', 'libs', '*');
const JAVA_CLIENT = path.join(BENCH_DIR, 'kafka', 'JavaClient.java');
const BIDS = [{ name: 'auction', type: 'BIGINT' }, { name: 'bidder', type: 'BIGINT' }, { name: 'price', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }];

const topicOf = (what: string, n: number) => `sluice-bench-${what}-${n}`;

/** Starts the broker if needed (stack/up.sh is idempotent); returns why not when it cannot. */
export function startKafka(): string | null {
  try {
    execFileSync('bash', [path.join(REPO_DIR, 'stack', 'up.sh'), 'kafka'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (e) {
    return `bash stack/up.sh kafka failed: ${(e as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop() ?? (e as Error).message}`;
  }
}

/**
 * Records in a topic (the end offset of its one partition), or -1 if it does not exist. The broker now and then
 * answers a topic's offsets with UNKNOWN_TOPIC_OR_PARTITION ("This server does not host this topic-partition")
 * right after other topics were deleted or created, and kafkajs's admin client does not retry that: a few tries.
 */
async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await topicSizeOnce(kafka, topic);
    } catch (e) {
      if ((e as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function topicSizeOnce(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return -1;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}

async function recreateTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) {
      await admin.deleteTopics({ topics: [topic] });
      // Deletion is asynchronous on the broker: wait until the name is free.
      for (let i = 0; i < 100 && (await admin.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 100));
    }
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Consumes a topic to its end: checksum of its CSV bid lines and the first and last record timestamps. */
async function readBack(kafka: Kafka, topic: string, n: number): Promise<{ answer: string; firstTs: number; lastTs: number }> {
  const consumer = kafka.consumer({ groupId: `bench-readback-${Date.now()}`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const cs = new Checksum(BIDS);
  let firstTs = Infinity;
  let lastTs = -Infinity;
  let seen = 0;
  await new Promise<void>((done) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const [a, b, p, ts] = m.value!.toString('latin1').split(',');
          cs.count++;
          cs.addValue(0, Number(a)); cs.addValue(1, Number(b)); cs.addValue(2, Number(p)); cs.addValue(3, Date.parse(`${ts.replace(' ', 'T')}Z`));
          const t = Number(m.timestamp);
          if (t < firstTs) firstTs = t;
          if (t > lastTs) lastTs = t;
        }
        seen += batch.messages.length;
        if (seen >= n) done();
      },
    });
  });
  await consumer.disconnect();
  return { answer: `${cs.header()}\n${cs.line()}\n`, firstTs, lastTs };
}

const answerText = (file: string) => fs.readFileSync(file, 'utf8');
const sha = (text: string) => createHash('sha1').update(text).digest('hex');

/** Runs the Kafka rows; results are also appended to bench/.work/bench/kafka-<N>.jsonl. */
export async function runKafka(o: KafkaOptions, log: (s: string) => void): Promise<KafkaResult[]> {
  const n = o.records;
  const dir = path.join(WORK_DIR, 'bench', 'kafka', String(n));
  fs.mkdirSync(dir, { recursive: true });
  const jsonl = path.join(WORK_DIR, 'bench', `kafka-${n}.jsonl`);
  execFileSync('python3', [path.join(BENCH_DIR, 'peers', 'gen-input.py'), '--rows', String(n), '--only', 'bids'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const input = inputFile(n, 'bids');
  // The bench jobs name the filesystem connector: their bundles for these rows also carry kafka (--connector kafka).
  await prepare(['hand'], ['q0', 'q1'], log);
  await prepare(['sluice'], ['q0', 'q1'], log, CARRY);
  await build({ entryPoints: [path.join(BENCH_DIR, 'kafka', 'kafkajs-client.ts')], outfile: CLIENT, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" } });

  // The reference answers: the hand-written loops over the same lines.
  const refs: Record<string, string> = {};
  for (const w of ['q0', 'q1']) {
    const l = await launch('hand', w, n, path.join(dir, `reference-${w}.csv`));
    execFileSync(l.command, l.args, { stdio: ['ignore', 'ignore', 'inherit'] });
    refs[w] = sha(answerText(path.join(dir, `reference-${w}.csv`)));
  }

  const kafka = new Kafka({ clientId: 'sluice-bench', brokers: o.brokers.split(','), logLevel: logLevel.NOTHING });
  const inTopic = topicOf('bids', n);
  if ((await topicSize(kafka, inTopic)) !== n) {
    log(`filling topic ${inTopic} with ${n} bids`);
    await recreateTopic(kafka, inTopic);
    execFileSync('java', ['-cp', JAVA_LIBS, JAVA_CLIENT, 'produce', o.brokers, inTopic, String(n), input], { stdio: ['ignore', 'ignore', 'inherit'] });
    if ((await topicSize(kafka, inTopic)) !== n) throw new Error(`topic ${inTopic} does not hold ${n} records after filling it`);
  }

  const kafkaTable = (topic: string, extra: Record<string, string> = {}) => ({
    connector: 'kafka', topic, 'properties.bootstrap.servers': o.brokers, format: 'csv', ...extra,
  });
  const source = kafkaTable(inTopic, { 'scan.startup.mode': 'earliest-offset' });
  const results: KafkaResult[] = [];
  for (let rep = 0; rep < o.repeat; rep++) {
    for (const { name: engine } of KAFKA_ENGINES.filter((e) => !o.engines || o.engines.includes(e.name))) {
      const r: KafkaResult = { engine, records: n, rep, ok: false, when: new Date().toISOString(), loadAvg1: +(await import('node:os')).loadavg()[0].toFixed(2) };
      // A fresh output topic per run, deleted after it (2 M records each would otherwise stay on disk).
      const outTopic = topicOf(`out-${engine}-${Date.now()}`, n);
      const writes = engine.endsWith('produce') || engine === 'sluice-kafka-kafka';
      try {
        if (writes) await recreateTopic(kafka, outTopic);
        let command: string;
        let args: string[];
        let env = process.env;
        let watch: ((interrupt: () => void) => void) | undefined;
        let stopWatching = () => {};
        const answer = path.join(dir, `${engine}.csv`);
        fs.rmSync(answer, { force: true });
        switch (engine) {
          case 'kafkajs-consume': case 'kafkajs-produce':
            command = process.execPath;
            args = [CLIENT, engine.slice(8), '--brokers', o.brokers, '--topic', engine === 'kafkajs-consume' ? inTopic : outTopic, '--count', String(n), '--input', input];
            break;
          case 'java-consume': case 'java-produce':
            command = 'java';
            args = ['-cp', JAVA_LIBS, JAVA_CLIENT, engine.slice(5), o.brokers, engine === 'java-consume' ? inTopic : outTopic, String(n), input];
            break;
          case 'sluice-kafka-blackhole':
            ({ command, args, env } = await launch('sluice', 'q0', n, answer, { input: source, stopAfter: n, carry: CARRY }));
            break;
          case 'sluice-kafka-kafka':
            ({ command, args, env } = await launch('sluice', 'q1', n, answer, { input: source, sink: kafkaTable(outTopic), carry: CARRY }));
            // Stop the job once every record is in the output topic.
            watch = (interrupt) => {
              const timer = setInterval(() => {
                void topicSize(kafka, outTopic).then((size) => { if (size >= n) { clearInterval(timer); interrupt(); } }, () => {});
              }, 200);
              stopWatching = () => clearInterval(timer);
            };
            break;
        }
        const m = await measure(command, args, env, REPO_DIR, o.timeoutS * 1000, watch);
        stopWatching();
        if (m.exitCode !== 0) throw new Error(`exit ${m.exitCode}: ${m.stderr.split('\n').filter((x) => x && !x.startsWith('\t')).slice(-3).join(' | ')}`);
        r.peakRssMb = Math.max(m.maxRssMb, m.treeRssMb);
        r.cpuSeconds = m.cpuSeconds;
        if (engine === 'sluice-kafka-blackhole') {
          const meta = JSON.parse(fs.readFileSync(`${answer}.meta.json`, 'utf8')) as { firstRecordEpochMs: number; lastRecordEpochMs: number; processStartEpochMs: number; records: number };
          if (meta.records !== n) throw new Error(`the sink got ${meta.records} records, expected ${n}`);
          r.recordsPerSecond = Math.round((n - 1) / ((meta.lastRecordEpochMs - meta.firstRecordEpochMs) / 1000));
          r.firstResultSeconds = (meta.firstRecordEpochMs - meta.processStartEpochMs) / 1000;
          r.answerMatches = sha(answerText(answer)) === refs.q0;
        } else if (engine === 'sluice-kafka-kafka') {
          // Record timestamps are the producer's clock at send: first to last output record.
          const back = await readBack(kafka, outTopic, n);
          r.recordsPerSecond = Math.round((n - 1) / ((back.lastTs - back.firstTs) / 1000));
          r.firstResultSeconds = (back.firstTs - m.startEpochMs) / 1000;
          r.answerMatches = sha(back.answer) === refs.q1;
        } else {
          const j = JSON.parse(m.stdout.split('\n').filter((l) => l.startsWith('{')).pop()!) as { recordsPerSecond: number; firstResultSeconds: number };
          r.recordsPerSecond = j.recordsPerSecond;
          r.firstResultSeconds = j.firstResultSeconds;
          if (engine.endsWith('produce')) r.answerMatches = (await topicSize(kafka, outTopic)) === n;
        }
        r.ok = true;
      } catch (e) {
        r.error = (e as Error).message;
      } finally {
        if (writes) await deleteTopic(kafka, outTopic).catch(() => {});
      }
      results.push(r);
      fs.appendFileSync(jsonl, `${JSON.stringify(r)}\n`);
      log(`kafka #${rep + 1} ${engine.padEnd(22)} ${r.ok ? `${((r.recordsPerSecond ?? 0) / 1e6).toFixed(3)} M records/s, first record ${r.firstResultSeconds?.toFixed(2)} s, ${r.peakRssMb} MB, ${r.cpuSeconds?.toFixed(2)} CPU s${r.answerMatches === false ? ', ANSWER DIFFERS' : ''}` : `FAILED ${r.error}`}`);
    }
  }
  return results;
}
