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
// by the reader (one writer per partition and sender keeps them in order).
import { randomUUID } from 'node:crypto';
import v8 from 'node:v8';
import { UserError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { JobPlan } from '../../core/plan.js';
import { KafkaClient, type ConsumerLink, type OutRecord, type ProducerLink } from '../../connectors/kafka/client.js';
import { readKafkaSettings, type KafkaSettings } from '../../connectors/kafka/properties.js';
import { fixedAssigner } from '../../connectors/kafka/split-assigner.js';

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
 * A reader may lag its writers (the topic is the buffer, as a repartition topic is); a day's records are kept,
 * and the topics are deleted with the job.
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
  // A subtask whose sinks are full holds its reader back; that must not cost its place in the group.
  s.consumer.sessionTimeout = 30_000;
  s.consumer.heartbeatInterval = 3000;
  // Idempotent: a retried send is not written twice.
  s.producer.idempotent = true;
  return s;
}

/** Creates the job's internal topics unless they exist (every process of the job may be first). */
export async function ensureTopics(spec: TransportSpec, log: Logger): Promise<void> {
  const client = new KafkaClient(settingsOf(spec, 'admin').client, log);
  const admin = await client.admin();
  try {
    const t = internalTopics(spec.jobId, spec.parallelism);
    if (!(await admin.topicExists(t.exchange))) await admin.createTopic(t.exchange, spec.parallelism, TOPIC_CONFIG);
    if (!(await admin.topicExists(t.control))) await admin.createTopic(t.control, spec.parallelism + 1, TOPIC_CONFIG);
  } finally {
    await admin.close();
  }
}

/** Deletes a terminated job's internal topics. */
export async function deleteTopics(spec: Omit<TransportSpec, 'epoch'>, log: Logger): Promise<void> {
  const client = new KafkaClient(settingsOf({ ...spec, epoch: '' }, 'admin').client, log);
  const admin = await client.admin();
  try {
    const t = internalTopics(spec.jobId, spec.parallelism);
    await admin.deleteTopics([t.exchange, t.control]);
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
 */
export class TopicReader {
  private readonly pieces = new Map<string, Buffer[]>();

  private constructor(private readonly consumer: ConsumerLink) {}

  static async open(
    spec: TransportSpec, topic: string, partitions: number[], role: string, log: Logger,
    deliver: (partition: number, from: number, message: unknown) => void, room: () => Promise<void>, fail: (e: Error) => void,
  ): Promise<TopicReader> {
    const s = settingsOf(spec, role);
    const client = new KafkaClient(s.client, log);
    const admin = await client.admin();
    let ends: Map<number, number>;
    try {
      ends = new Map((await admin.offsets(topic)).map((o) => [o.partition, o.high]));
    } finally {
      await admin.close();
    }
    // A group of its own (nothing is committed to it): kafkajs reads through a group only.
    const consumer = client.consumer(s.consumer, `sluice-${spec.jobId}-${spec.epoch}-${role}-${randomUUID().slice(0, 8)}`, fixedAssigner({ [topic]: partitions }));
    const reader = new TopicReader(consumer);
    // After a rejoin (a batch held back longer than the session), reading goes on where it was.
    const next = new Map(ends);
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
    await this.consumer.close().catch(() => {});
  }
}
