// The Kafka rows of the benchmark, on the real local broker (stack/up.sh kafka): N bids (the q0 input, one CSV
// line per record) and N clicks (the click-count input) in topics of P partitions (--kafka-partitions, default 2;
// line i in partition i % P), read and written by
//   sluice / Flink Java: Kafka → checksum sink   q0: reading Kafka (sluice: the q0 bundle with its source swapped
//                                                 to Kafka; Flink: its Kafka SQL connector, bounded at the end offset)
//   sluice / Flink Java: Kafka → Kafka (q1)      the q1 projection written to another topic
//   sluice / Flink Java: click count Kafka → Kafka  the operations playground's job: COUNT(*) per page and 15 s window
//   the two Kafka → Kafka jobs again at -p 2, sluice (`sluice run <bundle> -p 2`) and Flink (parallelism 2)
//   kafkajs / Java consume, sluice / kafkajs / Java produce: the clients alone (bench/kafka/*)
// A sluice Kafka source never ends: its runs stop once all records (or windows) are through (the capture hook, or the
// harness watching the output topic). Flink's source is bounded ('scan.bounded.mode' = 'latest-offset'), so its
// job ends and its last window fires at the end of input; sluice's last window stays open (its watermark never
// passes it), so sluice's click count is checked on the windows its watermark closed and Flink's on all.
// Answers: checksums and window rows against the hand-written loops on the same lines.
// Per core: records per CPU second of the process tree inside the job's window (sluice: from its 'job started' log
// line; Flink: its net runtime before its end; the clients: first to last record).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { Kafka, logLevel } from 'kafkajs';
import { Checksum, formatTimestamp } from './capture.js';
import { launch, prepare } from './engines.js';
import { cpuBetween, measure } from './measure.js';
import { BENCH_DIR, REPO_DIR, WORK_DIR, inputFile } from './workloads.js';

export type KafkaEngine = 'sluice-kafka-blackhole' | 'flink-kafka-blackhole' | 'kafkajs-consume' | 'java-consume'
  | 'sluice-kafka-kafka' | 'flink-kafka-kafka' | 'sluice-clicks-kafka' | 'flink-clicks-kafka'
  | 'sluice-kafka-kafka-p2' | 'flink-kafka-kafka-p2' | 'sluice-clicks-kafka-p2' | 'flink-clicks-kafka-p2'
  | 'sluice-produce' | 'kafkajs-produce' | 'java-produce' | 'sluice-produce-eo' | 'java-produce-eo';

/** Rows of the Kafka table; `peer` is the row a per-core ratio divides by. */
export const KAFKA_ENGINES: { name: KafkaEngine; label: string; peer?: KafkaEngine }[] = [
  { name: 'sluice-kafka-blackhole', label: 'sluice fused: Kafka → checksum sink (q0)', peer: 'flink-kafka-blackhole' },
  { name: 'flink-kafka-blackhole', label: 'Flink Java: Kafka → checksum sink (q0)' },
  { name: 'kafkajs-consume', label: 'kafkajs consumer alone (same fetch settings)', peer: 'java-consume' },
  { name: 'java-consume', label: 'Java kafka-clients consumer alone' },
  { name: 'sluice-kafka-kafka', label: 'sluice fused: Kafka → Kafka (q1 projection)', peer: 'flink-kafka-kafka' },
  { name: 'flink-kafka-kafka', label: 'Flink Java: Kafka → Kafka (q1 projection)' },
  { name: 'sluice-clicks-kafka', label: 'sluice fused: click count Kafka → Kafka', peer: 'flink-clicks-kafka' },
  { name: 'flink-clicks-kafka', label: 'Flink Java: click count Kafka → Kafka' },
  { name: 'sluice-kafka-kafka-p2', label: 'sluice fused -p 2: Kafka → Kafka (q1 projection)', peer: 'flink-kafka-kafka-p2' },
  { name: 'flink-kafka-kafka-p2', label: 'Flink Java parallelism 2: Kafka → Kafka (q1 projection)' },
  { name: 'sluice-clicks-kafka-p2', label: 'sluice fused -p 2: click count Kafka → Kafka', peer: 'flink-clicks-kafka-p2' },
  { name: 'flink-clicks-kafka-p2', label: 'Flink Java parallelism 2: click count Kafka → Kafka' },
  { name: 'sluice-produce', label: "sluice's producer alone (the sink's write path, acks=all)", peer: 'java-produce' },
  { name: 'kafkajs-produce', label: 'kafkajs producer alone (500 records a request, acks=all)', peer: 'java-produce' },
  { name: 'java-produce', label: 'Java kafka-clients producer alone (acks=all)' },
  { name: 'sluice-produce-eo', label: "sluice's producer alone, exactly-once (the sink's transaction, a commit every 100 000 records)", peer: 'java-produce-eo' },
  { name: 'java-produce-eo', label: 'Java kafka-clients producer alone, transactional (a commit every 100 000 records)' },
];

export interface KafkaResult {
  engine: KafkaEngine;
  records: number;
  /** Partitions of the topics (absent in runs from before topics had more than one). */
  partitions?: number;
  rep: number;
  ok: boolean;
  error?: string;
  recordsPerSecond?: number;
  /** Input records per CPU second of the process tree inside the job's window. */
  recordsPerCpuSecond?: number;
  firstResultSeconds?: number;
  peakRssMb?: number;
  /** CPU seconds of the process tree, start-up included. */
  cpuSeconds?: number;
  answerMatches?: boolean;
  loadAvg1?: number;
  when: string;
}

export interface KafkaOptions {
  records: number;
  /** Partitions of every topic (input and output); line i of an input goes to partition i % partitions. */
  partitions: number;
  repeat: number;
  brokers: string;
  timeoutS: number;
  /** Only these rows (all by default). */
  engines?: KafkaEngine[];
}

const CLIENTS = path.join(WORK_DIR, 'build', 'kafka-clients');
const CARRY = ['kafka'];
/** The broker's jars (the JVM client's classpath): this checkout's stack, or KAFKA_LIBS for a broker started elsewhere. */
const JAVA_LIBS = process.env.KAFKA_LIBS ?? path.join(REPO_DIR, '.stack', 'kafka', 'libs', '*');
const JAVA_CLIENT = path.join(BENCH_DIR, 'kafka', 'JavaClient.java');
const BIDS = [{ name: 'auction', type: 'BIGINT' }, { name: 'bidder', type: 'BIGINT' }, { name: 'price', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }];
/** Records per transaction of the exactly-once producer rows: a checkpoint's worth, a few a second here. */
const COMMIT_EVERY = 100_000;
/** The click count's window and watermark delay (bench/peers/sql/tumble.sql). */
const WINDOW_MS = 15_000;
const DELAY_MS = 1_000;

const topicOf = (what: string, n: number, partitions: number) => `sluice-bench-${what}-${n}${partitions === 1 ? '' : `-${partitions}p`}`;

/** A row's job at -p 2 is its -p 1 job with another parallelism. */
const baseOf = (engine: KafkaEngine) => engine.replace(/-p2$/, '');
const parallelismOfRow = (engine: KafkaEngine) => (engine.endsWith('-p2') ? 2 : 1);

/** Starts the broker if needed (stack/up.sh is idempotent); returns why not when it cannot. */
export async function startKafka(brokers: string): Promise<string | null> {
  // A broker already listening (e.g. the stack of another checkout) is used as it is.
  const [host, port] = brokers.split(',')[0].split(':');
  const listening = await new Promise<boolean>((resolve) => {
    const socket = net.connect(Number(port), host, () => { socket.end(); resolve(true); }).on('error', () => resolve(false));
  });
  if (listening) return null;
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

async function recreateTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) {
      await admin.deleteTopics({ topics: [topic] });
      // Deletion is asynchronous on the broker: wait until the name is free.
      for (let i = 0; i < 100 && (await admin.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 100));
    }
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** A topic's CSV records as they arrive: the answer in the capture format, and the first and last record timestamps. */
interface Collector { add(line: string): void; answer(): string }

/** q1's output: a checksum of the bid columns. */
function bidChecksum(): Collector {
  const cs = new Checksum(BIDS);
  return {
    add: (line) => {
      const [a, b, p, ts] = line.split(',');
      cs.count++;
      cs.addValue(0, Number(a)); cs.addValue(1, Number(b)); cs.addValue(2, Number(p)); cs.addValue(3, parseTimestamp(ts));
    },
    answer: () => `${cs.header()}\n${cs.line()}\n`,
  };
}

/** The click count's output: window rows (a timestamp as Flink's csv writes it, without a zero fraction, made whole). */
function windowRows(): Collector & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    add: (line) => {
      const [start, page, cnt] = line.split(',');
      lines.push(`${formatTimestamp(parseTimestamp(start))},${page},${cnt}`);
    },
    answer: () => `window_start,page,cnt\n${[...lines].sort().map((l) => `${l}\n`).join('')}`,
  };
}

/** A csv TIMESTAMP as sluice writes it or Flink does (quoted, the fraction left out when zero). */
const parseTimestamp = (ts: string) => Date.parse(`${ts.replaceAll('"', '').replace(' ', 'T')}Z`);

/** Consumes a topic until it has given `n` records: feeds each value to `into`; the first and last record timestamps. */
async function readBack(kafka: Kafka, topic: string, n: number, into: Collector): Promise<{ firstTs: number; lastTs: number }> {
  const consumer = kafka.consumer({ groupId: `bench-readback-${Date.now()}`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let firstTs = Infinity;
  let lastTs = -Infinity;
  let seen = 0;
  await new Promise<void>((done) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          into.add(m.value!.toString('latin1'));
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
  return { firstTs, lastTs };
}

/** Records a read_committed reader gets from `topic`, waiting up to 60 s for `n` of them. */
async function committedCount(kafka: Kafka, topic: string, n: number): Promise<number> {
  let seen = 0;
  const all = readBack(kafka, topic, n, { add: () => { seen++; }, answer: () => '' });
  await Promise.race([all, new Promise((r) => setTimeout(r, 60_000))]);
  return seen;
}

const answerText = (file: string) => fs.readFileSync(file, 'utf8');
const sha = (text: string) => createHash('sha1').update(text).digest('hex');

/**
 * The rows of the reference click count whose window a watermark of (largest timestamp - 1 s) has surely closed.
 * With several partitions the watermark is the smallest over them (line i is in partition i % partitions).
 */
function closedWindows(reference: string, clicksFile: string, partitions: number): string[] {
  const maxOf = new Array<number>(partitions).fill(-Infinity);
  let i = 0;
  for (const line of fs.readFileSync(clicksFile, 'latin1').split('\n')) {
    if (!line) continue;
    const p = i++ % partitions;
    maxOf[p] = Math.max(maxOf[p], parseTimestamp(line.slice(line.indexOf(',') + 1)));
  }
  const maxTs = Math.min(...maxOf);
  // Flink's bounded out-of-orderness watermark is largest - delay - 1 ms; a window closes once it reaches end - 1.
  return reference.trim().split('\n').slice(1).filter((l) => parseTimestamp(l.slice(0, l.indexOf(','))) + WINDOW_MS + DELAY_MS <= maxTs);
}

/** The time of sluice's 'job started' log line (JSON logs on stderr). */
/**
 * When the job's window begins: at -p 1 sluice's 'job started' log line (JSON logs on stderr; the bundle is
 * loaded, connectors not yet open); at -p n its 'all subtasks are running' line, once every subtask thread has
 * loaded the runtime and the bundle (start-up, as loading the bundle is at -p 1).
 */
function jobStarted(stderr: string, parallelism: number): number {
  const msg = parallelism > 1 ? 'all subtasks are running' : 'job started';
  const line = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; time?: number }).find((l) => l.msg === msg);
  if (!line?.time) throw new Error(`no '${msg}' log line`);
  return line.time;
}

function esbuildClient(name: string): Promise<unknown> {
  return build({ entryPoints: [path.join(BENCH_DIR, 'kafka', `${name}.ts`)], outfile: path.join(CLIENTS, `${name}.mjs`), bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" } });
}

/** Fills `topic` with the lines of `input` (by the Java client) unless it holds `n` records already. */
async function fillTopic(kafka: Kafka, o: KafkaOptions, topic: string, input: string, log: (s: string) => void): Promise<void> {
  if ((await topicSize(kafka, topic)) === o.records) return;
  log(`filling topic ${topic} with ${o.records} records`);
  await recreateTopic(kafka, topic, o.partitions);
  execFileSync('java', ['-cp', JAVA_LIBS, JAVA_CLIENT, 'produce', o.brokers, topic, String(o.records), input, String(o.partitions)], { stdio: ['ignore', 'ignore', 'inherit'] });
  if ((await topicSize(kafka, topic)) !== o.records) throw new Error(`topic ${topic} does not hold ${o.records} records after filling it`);
}

/** The bench's clicks topic of `records` clicks in `partitions` partitions, filled if it is not (bench/parallel/speedup.ts reads it). */
export async function clicksTopic(records: number, partitions: number, brokers: string, log: (s: string) => void): Promise<string> {
  execFileSync('python3', [path.join(BENCH_DIR, 'peers', 'gen-input.py'), '--rows', String(records), '--only', 'clicks'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const kafka = new Kafka({ clientId: 'sluice-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const topic = topicOf('clicks', records, partitions);
  await fillTopic(kafka, { records, partitions, brokers, repeat: 1, timeoutS: 0 }, topic, inputFile(records, 'clicks'), log);
  return topic;
}

/** Runs the Kafka rows; results are also appended to bench/.work/bench/kafka-<N>.jsonl. */
export async function runKafka(o: KafkaOptions, log: (s: string) => void): Promise<KafkaResult[]> {
  const n = o.records;
  const dir = path.join(WORK_DIR, 'bench', 'kafka', String(n));
  fs.mkdirSync(dir, { recursive: true });
  const jsonl = path.join(WORK_DIR, 'bench', `kafka-${n}.jsonl`);
  execFileSync('python3', [path.join(BENCH_DIR, 'peers', 'gen-input.py'), '--rows', String(n), '--only', 'bids,clicks'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const bids = inputFile(n, 'bids');
  const clicks = inputFile(n, 'clicks');
  const workloads = ['q0', 'q1', 'tumble'];
  // The bench jobs name the filesystem connector: their bundles for these rows also carry kafka (--connector kafka).
  await prepare(['hand', 'flink-java'], workloads, log);
  await prepare(['sluice'], workloads, log, CARRY);
  await esbuildClient('kafkajs-client');
  await esbuildClient('sluice-producer');

  // The reference answers: the hand-written loops over the same lines.
  const refs: Record<string, string> = {};
  for (const w of workloads) {
    const l = await launch('hand', w, n, path.join(dir, `reference-${w}.csv`));
    execFileSync(l.command, l.args, { stdio: ['ignore', 'ignore', 'inherit'] });
    refs[w] = answerText(path.join(dir, `reference-${w}.csv`));
  }
  const refRows = new Set(refs.tumble.trim().split('\n').slice(1));
  const closed = closedWindows(refs.tumble, clicks, o.partitions);

  const kafka = new Kafka({ clientId: 'sluice-bench', brokers: o.brokers.split(','), logLevel: logLevel.NOTHING });
  const bidsTopic = topicOf('bids', n, o.partitions);
  const clicksTopic = topicOf('clicks', n, o.partitions);
  await fillTopic(kafka, o, bidsTopic, bids, log);
  await fillTopic(kafka, o, clicksTopic, clicks, log);

  const sluiceTable = (topic: string, extra: Record<string, string> = {}) => ({
    connector: 'kafka', topic, 'properties.bootstrap.servers': o.brokers, format: 'csv', ...extra,
  });
  const flinkTable = (topic: string, extra: Record<string, string> = {}) => Object.entries({ connector: 'kafka', topic, 'properties.bootstrap.servers': o.brokers, format: 'csv', ...extra })
    .map(([k, v]) => `'${k}' = '${v}'`).join(', ');
  const flinkSource = (topic: string) => flinkTable(topic, { 'properties.group.id': `bench-flink-${Date.now()}`, 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset' });
  const results: KafkaResult[] = [];
  for (let rep = 0; rep < o.repeat; rep++) {
    for (const { name: engine } of KAFKA_ENGINES.filter((e) => !o.engines || o.engines.includes(e.name))) {
      const r: KafkaResult = { engine, records: n, partitions: o.partitions, rep, ok: false, when: new Date().toISOString(), loadAvg1: +(await import('node:os')).loadavg()[0].toFixed(2) };
      // A fresh output topic per run, deleted after it (a million records each would otherwise stay on disk).
      const outTopic = topicOf(`out-${engine}-${Date.now()}`, n, o.partitions);
      const parallelism = parallelismOfRow(engine);
      const writes = !engine.endsWith('consume') && !engine.endsWith('blackhole');
      const clickCount = engine.includes('clicks');
      try {
        if (writes) await recreateTopic(kafka, outTopic, o.partitions);
        let command: string;
        let args: string[];
        let env = process.env;
        let watch: ((interrupt: () => void) => void) | undefined;
        let stopWatching = () => {};
        const answer = path.join(dir, `${engine}.csv`);
        fs.rmSync(answer, { force: true });
        /**
         * Stops a sluice job once its output topic holds `count` records: one SIGINT only, and one look at the topic
         * at a time (a second SIGINT exits at once, with 130, without flushing: when looks outlasted the 200 ms
         * interval on the loaded machine, several found the topic full and each interrupted the job).
         */
        const stopAt = (count: number) => (interrupt: () => void) => {
          let looking = false;
          let done = false;
          const timer = setInterval(() => {
            if (looking || done) return;
            looking = true;
            void topicSize(kafka, outTopic).then((size) => {
              if (size >= count && !done) { done = true; clearInterval(timer); interrupt(); }
            }, () => {}).finally(() => { looking = false; });
          }, 200);
          stopWatching = () => { done = true; clearInterval(timer); };
        };
        const flink = async (workload: string, source: string, sinkOptions: string | null) => {
          const l = await launch('flink-java', workload, n, answer);
          const i = l.args.indexOf('--sink');
          l.args.splice(i, 2, '--sink', sinkOptions === null ? 'capture' : 'options', '--source-options', source, ...(sinkOptions === null ? [] : ['--sink-options', sinkOptions]),
            '--parallelism', String(parallelism));
          return l;
        };
        switch (baseOf(engine) as KafkaEngine) {
          case 'kafkajs-consume': case 'kafkajs-produce':
            command = process.execPath;
            args = [path.join(CLIENTS, 'kafkajs-client.mjs'), engine.slice(8), '--brokers', o.brokers, '--topic', engine === 'kafkajs-consume' ? bidsTopic : outTopic, '--count', String(n), '--input', bids];
            break;
          case 'sluice-produce': case 'sluice-produce-eo':
            command = process.execPath;
            args = [path.join(CLIENTS, 'sluice-producer.mjs'), '--brokers', o.brokers, '--topic', outTopic, '--count', String(n), '--input', bids,
              ...(engine === 'sluice-produce-eo' ? ['--commit-every', String(COMMIT_EVERY)] : [])];
            break;
          case 'java-consume': case 'java-produce': case 'java-produce-eo':
            command = 'java';
            args = ['-cp', JAVA_LIBS, JAVA_CLIENT, engine === 'java-consume' ? 'consume' : 'produce', o.brokers, engine === 'java-consume' ? bidsTopic : outTopic, String(n), bids,
              ...(engine === 'java-produce-eo' ? ['0', String(COMMIT_EVERY)] : [])];
            break;
          case 'sluice-kafka-blackhole':
            ({ command, args, env } = await launch('sluice', 'q0', n, answer, { input: sluiceTable(bidsTopic, { 'scan.startup.mode': 'earliest-offset' }), stopAfter: n, carry: CARRY }));
            break;
          case 'flink-kafka-blackhole':
            ({ command, args, env } = await flink('q0', flinkSource(bidsTopic), null));
            break;
          case 'sluice-kafka-kafka':
            ({ command, args, env } = await launch('sluice', 'q1', n, answer, { input: sluiceTable(bidsTopic, { 'scan.startup.mode': 'earliest-offset' }), sink: sluiceTable(outTopic), carry: CARRY, parallelism }));
            watch = stopAt(n);
            break;
          case 'flink-kafka-kafka':
            ({ command, args, env } = await flink('q1', flinkSource(bidsTopic), flinkTable(outTopic)));
            break;
          case 'sluice-clicks-kafka':
            ({ command, args, env } = await launch('sluice', 'tumble', n, answer, { input: sluiceTable(clicksTopic, { 'scan.startup.mode': 'earliest-offset' }), sink: sluiceTable(outTopic), carry: CARRY, parallelism }));
            watch = stopAt(closed.length);
            break;
          case 'flink-clicks-kafka':
            ({ command, args, env } = await flink('tumble', flinkSource(clicksTopic), flinkTable(outTopic)));
            break;
          default:
            throw new Error(`no command for Kafka row '${engine}'`);
        }
        const m = await measure(command, args, env, REPO_DIR, o.timeoutS * 1000, watch);
        stopWatching();
        if (m.exitCode !== 0) throw new Error(`exit ${m.exitCode}: ${m.stderr.split('\n').filter((x) => x && !x.startsWith('\t')).slice(-3).join(' | ')}`);
        r.peakRssMb = Math.max(m.maxRssMb, m.treeRssMb);
        r.cpuSeconds = m.cpuSeconds;
        const exit = m.startEpochMs + m.wallSeconds * 1000;
        const perCore = (from: number, to: number) => Math.round(n / cpuBetween(m, from, to));
        const sluice = engine.startsWith('sluice-') && !engine.startsWith('sluice-produce');
        const flinkRun = engine.startsWith('flink-');
        const flinkJson = flinkRun ? JSON.parse(m.stdout.split('\n').filter((l) => l.startsWith('{')).pop()!) as { netRuntimeSeconds: number; endEpochMs: number } : null;
        // The job's window: sluice from its 'job started' line to its exit (stopped once its output was complete),
        // Flink its net runtime before its end.
        const jobFrom = sluice ? jobStarted(m.stderr, parallelism) : flinkJson ? flinkJson.endEpochMs - flinkJson.netRuntimeSeconds * 1000 : NaN;
        if (sluice || flinkRun) r.recordsPerCpuSecond = perCore(jobFrom, exit);
        if (engine.endsWith('blackhole')) {
          const meta = JSON.parse(fs.readFileSync(`${answer}.meta.json`, 'utf8')) as { firstRecordEpochMs: number; lastRecordEpochMs: number; processStartEpochMs?: number; records: number };
          if (meta.records !== n) throw new Error(`the sink got ${meta.records} records, expected ${n}`);
          r.recordsPerSecond = Math.round((n - 1) / ((meta.lastRecordEpochMs - meta.firstRecordEpochMs) / 1000));
          r.firstResultSeconds = (meta.firstRecordEpochMs - (meta.processStartEpochMs ?? m.startEpochMs)) / 1000;
          r.answerMatches = sha(answerText(answer)) === sha(refs.q0);
        } else if (baseOf(engine).endsWith('kafka-kafka')) {
          // Record timestamps are the producer's clock at send: first to last output record.
          const sum = bidChecksum();
          const back = await readBack(kafka, outTopic, n, sum);
          r.recordsPerSecond = Math.round((n - 1) / ((back.lastTs - back.firstTs) / 1000));
          r.firstResultSeconds = (back.firstTs - m.startEpochMs) / 1000;
          r.answerMatches = sha(sum.answer()) === sha(refs.q1);
        } else if (clickCount) {
          const rows = windowRows();
          const size = await topicSize(kafka, outTopic);
          const back = await readBack(kafka, outTopic, size, rows);
          // Input records over the job's time to its last window.
          r.recordsPerSecond = Math.round(n / ((sluice ? back.lastTs - jobFrom : flinkJson!.netRuntimeSeconds * 1000) / 1000));
          r.firstResultSeconds = (back.firstTs - m.startEpochMs) / 1000;
          // Flink (bounded) writes every window; sluice those its watermark closed, each once and right.
          const got = new Set(rows.lines);
          r.answerMatches = sluice
            ? got.size === rows.lines.length && rows.lines.every((l) => refRows.has(l)) && closed.every((l) => got.has(l))
            : sha(rows.answer()) === sha(refs.tumble);
        } else {
          const j = JSON.parse(m.stdout.split('\n').filter((l) => l.startsWith('{')).pop()!) as { recordsPerSecond: number; firstResultSeconds: number; firstEpochMs: number; lastEpochMs: number };
          r.recordsPerSecond = j.recordsPerSecond;
          r.firstResultSeconds = j.firstResultSeconds;
          r.recordsPerCpuSecond = perCore(j.firstEpochMs, j.lastEpochMs);
          if (engine.endsWith('produce')) r.answerMatches = (await topicSize(kafka, outTopic)) === n;
          // Transactions put commit markers among the records: count what a read_committed reader gets.
          if (engine.endsWith('produce-eo')) r.answerMatches = await committedCount(kafka, outTopic, n) === n;
        }
        r.ok = true;
      } catch (e) {
        r.error = (e as Error).message;
      } finally {
        if (writes) await deleteTopic(kafka, outTopic).catch(() => {});
      }
      results.push(r);
      fs.appendFileSync(jsonl, `${JSON.stringify(r)}\n`);
      log(`kafka #${rep + 1} ${engine.padEnd(22)} ${r.ok ? `${((r.recordsPerSecond ?? 0) / 1e6).toFixed(3)} M records/s, ${((r.recordsPerCpuSecond ?? NaN) / 1e6).toFixed(3)} M records/CPU s, first record ${r.firstResultSeconds?.toFixed(2)} s, ${r.peakRssMb} MB, ${r.cpuSeconds?.toFixed(2)} CPU s${r.answerMatches === false ? ', ANSWER DIFFERS' : ''}` : `FAILED ${r.error}`}`);
    }
  }
  return results;
}
