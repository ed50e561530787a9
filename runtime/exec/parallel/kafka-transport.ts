// What crosses processes (and machines) between the subtasks of one job goes through Kafka, as Kafka Streams'
// repartition topics do, never through a network protocol of ours. A job whose subtasks are on several
// taskmanagers has two internal topics on the Kafka cluster its tables use (or exchange.kafka.bootstrap-servers):
//   sluice-<job>-p<n>-exchange   partition i: every channel message (exchanges.ts: batches, watermarks,
//                                idleness, barriers, end of input) from a subtask in another process to subtask i
//   sluice-<job>-p<n>-control    partition i: the coordinator's requests to subtask i (snapshot, release,
//                                commit, go, stop, exit); partition n: the subtasks' answers and reports
// Every record is stamped with the attempt's epoch (a fresh value per deployment) and its sender. Exactly
// once across failures needs nothing else (docs/architecture.md, "Exchanges across processes"): with aligned
// barriers a checkpoint has no records in flight, so a restored attempt needs none of the old attempt's
// records; each reader starts at the end of its partitions as they are before any subtask of its attempt
// writes (sources start only after every subtask has reported `started`, which comes after that
// positioning), and skips records of any other epoch (a zombie of the failed attempt still writing).
// A message larger than CHUNK_BYTES (a snapshot part, a large batch) goes as several records, joined again
// by the reader (one writer per partition and sender keeps them in order). Since nothing is read twice, each
// reader deletes what it has read once a checkpoint covering it is complete (TopicReader.trim).
import v8 from 'node:v8';
import { UserError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { JobPlan } from '../../core/plan.js';
import { KafkaClient, type AdminLink, type ConsumerLink, type OutRecord, type ProducerLink } from '../../connectors/kafka/client.js';
import { readKafkaSettings, type KafkaSettings } from '../../connectors/kafka/properties.js';

/** Where a job's subtasks in other processes are reached. */
export interface TransportSpec {
  jobId: string;
  /** The attempt's epoch: records of other epochs are skipped. */
  epoch: string;
  parallelism: number;
  /** `properties.*` of the Kafka cluster holding the internal topics. */
  properties: Record<string, string>;
}

export const BOOTSTRAP_KEY = 'exchange.kafka.bootstrap-servers';

/** A record's payload at most; larger messages are split (the broker's default limit is about 1 MB). */
const CHUNK_BYTES = 512 * 1024;
/**
 * A reader may lag its writers (the topic is the buffer, as a repartition topic is). Completed checkpoints trim
 * what was read (TopicReader.trim); a day's retention is the backstop, and the topics are deleted with the job.
 */
const TOPIC_CONFIG = { 'cleanup.policy': 'delete', 'retention.ms': String(24 * 3600 * 1000) };

export function internalTopics(jobId: string, parallelism: number): { exchange: string; control: string } {
  const base = `sluice-${jobId}-p${parallelism}`;
  return { exchange: `${base}-exchange`, control: `${base}-control` };
}

/**
 * The Kafka cluster of the internal topics: exchange.kafka.bootstrap-servers, else the `properties.*` of the
 * job's first kafka or upsert-kafka table (a job that reads or writes Kafka has a cluster at hand).
 */
export function exchangeProperties(plan: JobPlan, config: Record<string, string>): Record<string, string> {
  const given = config[BOOTSTRAP_KEY];
  if (given) return { 'properties.bootstrap.servers': given };
  for (const n of plan.nodes) {
    if ((n.kind === 'source' || n.kind === 'sink') && (n.connector === 'kafka' || n.connector === 'upsert-kafka')) {
      return Object.fromEntries(Object.entries(n.options).filter(([k]) => k.startsWith('properties.') && k !== 'properties.group.id' && k !== 'properties.transactional.id'));
    }
  }
  throw new UserError(`job '${plan.name}' has subtasks on several taskmanagers, which exchange records through Kafka, but it has no Kafka table and ${BOOTSTRAP_KEY} is not set`,
    `set -D ${BOOTSTRAP_KEY}=<host:port> (or in the cluster's config.yaml), or give every taskmanager enough slots for the job`);
}

function settingsOf(spec: TransportSpec, role: string): KafkaSettings {
  const s = readKafkaSettings(spec.properties, `${spec.jobId.slice(0, 8)}-${role}`);
  s.consumer.readUncommitted = true;
  // Idempotent: a retried send is not written twice.
  s.producer.idempotent = true;
  return s;
}

/**
 * Creates the job's internal topics unless they exist (every process of the job may be first), and waits until
 * their offsets can be read: right after a topic is made (here or by another process), a broker may still answer
 * "not the leader" for a while, which would fail the attempt when its readers position themselves.
 */
export async function ensureTopics(spec: TransportSpec, log: Logger): Promise<void> {
  const client = new KafkaClient(settingsOf(spec, 'admin').client, log);
  const admin = await client.admin();
  try {
    const t = internalTopics(spec.jobId, spec.parallelism);
    for (const [topic, partitions] of [[t.exchange, spec.parallelism], [t.control, spec.parallelism + 1]] as const) {
      if (!(await admin.topicExists(topic))) await admin.createTopic(topic, partitions, TOPIC_CONFIG);
      for (let attempt = 1; ; attempt++) {
        const ready = await admin.offsets(topic).then(() => true, (e: Error) => {
          if (attempt >= LEADER_ATTEMPTS) throw e;
          log.debug({ topic, error: e.message }, `the offsets of ${topic} cannot be read yet`);
          return false;
        });
        if (ready) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await admin.close();
  }
}

/** How often ensureTopics reads a new topic's offsets, 200 ms apart, before it gives up. */
const LEADER_ATTEMPTS = 50;

/** Deletes a terminated job's internal topics, those of each parallelism it was spread at (the ones that exist). */
export async function deleteTopics(jobId: string, parallelisms: number[], properties: Record<string, string>, log: Logger): Promise<void> {
  const client = new KafkaClient(settingsOf({ jobId, epoch: '', parallelism: 0, properties }, 'admin').client, log);
  const admin = await client.admin();
  try {
    await admin.deleteTopics(parallelisms.flatMap((p) => Object.values(internalTopics(jobId, p))));
  } finally {
    await admin.close();
  }
}

interface Envelope {
  /** Epoch. */
  e: string;
  /** Sender: a subtask index (-1: the coordinator). */
  f: number;
  /** The message, v8-serialized (structured clone, as MessagePorts carry it), or one piece of it. */
  b: Buffer;
  /** Piece k of n, when split. */
  k?: number;
  n?: number;
}

/** Writes messages to partitions of one topic in order; `acked` runs once Kafka has a message's last piece. */
export class TopicWriter {
  private queue: { record: OutRecord; acked?: () => void }[] = [];
  private sending = false;
  private failed: Error | null = null;

  private constructor(private readonly link: ProducerLink, private readonly topic: string, private readonly spec: TransportSpec, private readonly fail: (e: Error) => void) {}

  static async open(spec: TransportSpec, topic: string, role: string, log: Logger, fail: (e: Error) => void): Promise<TopicWriter> {
    const s = settingsOf(spec, role);
    const client = new KafkaClient(s.client, log);
    // The record's key is its partition (a subtask index, or n for the coordinator).
    const link = await client.producer(s.producer, { transactionalId: null, partitioner: 'default', toPartition: (r) => Number(r.key) });
    return new TopicWriter(link, topic, spec, fail);
  }

  post(partition: number, from: number, message: unknown, acked?: () => void): void {
    if (this.failed) return;
    const body = v8.serialize(message);
    const key = String(partition);
    const { epoch: e } = this.spec;
    if (body.length <= CHUNK_BYTES) {
      this.queue.push({ record: { key, value: v8.serialize({ e, f: from, b: body } satisfies Envelope) }, acked });
    } else {
      const n = Math.ceil(body.length / CHUNK_BYTES);
      for (let k = 0; k < n; k++) {
        const b = body.subarray(k * CHUNK_BYTES, (k + 1) * CHUNK_BYTES);
        this.queue.push({ record: { key, value: v8.serialize({ e, f: from, b, k, n } satisfies Envelope) }, acked: k === n - 1 ? acked : undefined });
      }
    }
    if (!this.sending) void this.pump();
  }

  /** One send at a time, of everything queued: order per partition is the order of post(). */
  private async pump(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.failed) {
        // The next macrotask: what the subtask posts in the same turn goes in the same request.
        await new Promise((r) => setImmediate(r));
        const batch = this.queue.splice(0);
        await this.link.send(this.topic, batch.map((x) => x.record));
        for (const x of batch) x.acked?.();
      }
    } catch (e) {
      this.failed = e as Error;
      this.fail(e as Error);
    } finally {
      this.sending = false;
    }
  }

  /** Resolves once everything posted is acknowledged. */
  async flushed(): Promise<void> {
    while ((this.sending || this.queue.length > 0) && !this.failed) await new Promise((r) => setTimeout(r, 5));
  }

  async close(): Promise<void> {
    await this.link.close().catch(() => {});
  }
}

/**
 * Reads partitions of one topic from their end as of open(), handing on the messages of this epoch. `room`
 * is awaited after each fetched batch: a subtask whose sinks are full holds the reading back.
 *
 * The topics would grow without bound (retention is a day); as Kafka Streams purges a repartition topic up
 * to the offsets a commit covers, a reader deletes what a completed checkpoint no longer needs: mark() at the
 * checkpoint's snapshot remembers where reading is, trim() once the checkpoint is complete deletes the
 * records below (Kafka's DeleteRecords). Nothing deleted is read again: this reader never goes back, and a
 * restored attempt starts at the end of the partitions (see the top of this file).
 */
export class TopicReader {
  private readonly pieces = new Map<string, Buffer[]>();
  /** The next offset to read per partition: everything below was handed on (or skipped). */
  private readonly next: Map<number, number>;
  private marked = new Map<number, number>();
  /** The log start of each partition (as trimmed here). */
  private readonly trimmed: Map<number, number>;
  private trimming: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly consumer: ConsumerLink, private readonly admin: AdminLink, private readonly topic: string,
    offsets: { partition: number; low: number; high: number }[], private readonly log: Logger,
  ) {
    // The first trim also takes what earlier attempts left below this reader's start.
    this.next = new Map(offsets.map((o) => [o.partition, o.high]));
    this.trimmed = new Map(offsets.map((o) => [o.partition, o.low]));
  }

  static async open(
    spec: TransportSpec, topic: string, partitions: number[], role: string, log: Logger,
    deliver: (partition: number, from: number, message: unknown) => void, room: () => Promise<void>, fail: (e: Error) => void,
  ): Promise<TopicReader> {
    const s = settingsOf(spec, role);
    const client = new KafkaClient(s.client, log);
    const admin = await client.admin();
    let offsets: { partition: number; low: number; high: number }[];
    try {
      offsets = (await admin.offsets(topic)).filter((o) => partitions.includes(o.partition));
    } catch (e) {
      await admin.close().catch(() => {});
      throw e;
    }
    // Exactly its partitions, with no consumer group (nothing is committed).
    const consumer = client.consumer(s.consumer, null, (_topic, partition) => partitions.includes(partition));
    const reader = new TopicReader(consumer, admin, topic, offsets, log);
    // Reading starts at each partition's position (the consumer asks when it has its partitions).
    const next = reader.next;
    await consumer.start([topic], {
      assigned: () => { for (const p of partitions) consumer.seek(topic, p, next.get(p) ?? 'earliest'); },
      batch: async (b) => {
        for (const m of b.messages) {
          next.set(b.partition, Number(m.offset) + 1);
          if (!m.value) continue;
          const env = v8.deserialize(m.value) as Envelope;
          if (env.e !== spec.epoch) continue;
          const whole = reader.join(b.partition, env);
          if (whole) deliver(b.partition, env.f, v8.deserialize(whole));
        }
        await room();
      },
      batchDone: () => {},
      crashed: fail,
    });
    return reader;
  }

  /** Remembers how far reading is: what the checkpoint being taken covers. */
  mark(): void {
    this.marked = new Map(this.next);
  }

  /**
   * Deletes the records below the last mark (the checkpoint it was taken for is complete). One deletion at a
   * time; a failed one is logged and retried at the next checkpoint: the job does not depend on it.
   */
  trim(): Promise<void> {
    const below = new Map([...this.marked].filter(([p, o]) => o > (this.trimmed.get(p) ?? 0)));
    if (this.trimming || below.size === 0 || this.closed) return this.trimming ?? Promise.resolve();
    this.trimming = this.admin.deleteRecords(this.topic, below).then(
      () => { for (const [p, o] of below) this.trimmed.set(p, o); },
      (e: Error) => this.log.warn({ topic: this.topic, error: e.message }, `could not delete the records ${this.topic} no longer needs: ${e.message}`),
    ).finally(() => { this.trimming = null; });
    return this.trimming;
  }

  /** The message's body once all its pieces are here. */
  private join(partition: number, env: Envelope): Buffer | null {
    if (env.n === undefined) return env.b;
    const key = `${partition}/${env.f}`;
    const got = this.pieces.get(key) ?? [];
    got.push(env.b);
    if (got.length < env.n) {
      this.pieces.set(key, got);
      return null;
    }
    this.pieces.delete(key);
    return Buffer.concat(got);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.consumer.close().catch(() => {});
    await this.trimming;
    await this.admin.close().catch(() => {});
  }
}
