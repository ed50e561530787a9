// A consumer of the partitions it owns, without a consumer group: as Flink's KafkaSource reads (the enumerator
// owns the split assignment, each reader assign()s its splits and never joins the group), every reader in
// sluice knows its partitions before it starts: a source subtask its share (split-assigner.ts), a subtask's
// reader of an exchange topic its own partitions, the marker check one partition. So nothing joins a group,
// heartbeats or leaves one. kafkajs's consumer, which reads only through a group, did all three for every
// subtask (a group of one member each), and its disconnect waited for the fetch in flight, up to
// fetch.max.wait.ms, before leaving the group: at the end of every bounded read, and on every restart.
//
// Fetches go over kafkajs's own cluster (kafkajs-cluster.ts: connections, TLS/SASL, metadata, leaders) and its
// Batch (record decoding, read_committed filtering as aborted-filter.ts corrects it, control records), so the
// records are exactly what kafkajs's consumer handed out. One fetch per leader at a time; a batch is handed to
// batch() and awaited before that leader is fetched again (the source holds fetching back that way).
// Offsets go to the group only by commit() (OffsetCommit with no generation, as the Java client's commitSync of
// an assign()ed consumer), for monitoring and group-offsets starts. New partitions of the topics are found when
// the metadata is refreshed (metadata.max.age.ms, scan.topic-partition-discovery.interval) and assigned, if
// owned, from their earliest offset. Retriable failures (a leader moved, a broker restarting) are retried with
// backoff for as long as they last, as kafkajs's consumer restarts; others end the consumer (crashed()).
import './aborted-filter.js';
import type { Kafka } from 'kafkajs';
import Batch from 'kafkajs/src/consumer/batch.js';
import { ExternalError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { createCluster, type Cluster } from './kafkajs-cluster.js';
import type { ConsumerSettings } from './properties.js';

/** A fetched record as kafkajs hands it over (structurally; offsets and timestamps are decimal strings). */
export interface FetchedMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface FetchedBatch {
  topic: string;
  partition: number;
  messages: readonly FetchedMessage[];
  /** The last offset the fetch covered, including filtered control records and aborted messages. */
  lastOffset: number;
  /** The partition's log end offset as the fetch saw it (for the consumer lag metric). */
  highWatermark?: number;
}

/**
 * What the consumer reports. batch() may return a promise: the consumer awaits it before it fetches that leader
 * again, which is how the source holds fetching back while its queue is full (source.ts); the others are synchronous.
 */
export interface ConsumerHandlers {
  batch(batch: FetchedBatch): void | Promise<void>;
  /** The partitions read (at the start, and again when new ones appear): seeks made here apply to the first fetch. */
  assigned(assignment: Record<string, number[]>): void;
  /** A fetch of the partition was handled up to lastOffset, including fetches of control records only (never passed to batch()). */
  batchDone(topic: string, partition: number, lastOffset: number): void;
  /** The consumer stopped for good. */
  crashed(error: Error): void;
}

export interface ConsumerLink {
  /** Connects and starts fetching the partitions it owns; resolves once they are assigned (handlers.assigned). */
  start(topics: string[], handlers: ConsumerHandlers): Promise<void>;
  /** The next fetch of the partition starts at `offset`; 'earliest' for the log start. */
  seek(topic: string, partition: number, offset: number | 'earliest'): void;
  /** Nothing more of the partition is wanted (a bounded read fetched up to its stop offset): it is not fetched again. */
  finish(topic: string, partition: number): void;
  pause(topics: string[]): void;
  resume(topics: string[]): void;
  /** Commits next offsets to the consumer group (as a consumer outside the group: assigned-consumer.ts). */
  commit(offsets: { topic: string; partition: number; offset: number }[]): Promise<void>;
  close(): Promise<void>;
}

/** What a client's user hears of besides results and errors. */
export interface ClientHooks {
  /** A consumer's fetch position is no longer in the log (deleted by retention); it goes on from the log start. */
  offsetOutOfRange?(topic: string, partition: number): void;
}

/** kafkajs's defaults where the settings leave them unset (as its consumer used them). */
const DEFAULT_METADATA_MAX_AGE_MS = 300_000;
const DEFAULT_MAX_BYTES = 10 << 20;
const DEFAULT_PARTITION_MAX_BYTES = 1 << 20;
/** Backoff between attempts after a retriable failure: doubling from the first, up to the last. */
const RETRY_FIRST_MS = 300;
const RETRY_MAX_MS = 10_000;
/** Kafka's isolation levels (Fetch). */
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

interface Assigned {
  topic: string;
  partition: number;
  /** The next offset to fetch; null: the partition's earliest, looked up before the next fetch. */
  next: number | null;
  paused: boolean;
  /** Bumped by a seek: an answer to a fetch sent before it is dropped. */
  seeks: number;
  /** The reader wants nothing more of it (a bounded read past its stop offset): never fetched again. */
  finished: boolean;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
const sleep = (ms: number, wake: Promise<void>) => new Promise<void>((r) => { const t = setTimeout(r, ms); void wake.then(() => { clearTimeout(t); r(); }); });

/** Failures that go away by themselves (a leader election, a broker restarting, a connection lost). */
function retriable(e: unknown): boolean {
  const err = e as { name?: string; retriable?: boolean; type?: string };
  if (err.retriable === true) return true;
  return ['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound', 'KafkaJSRequestTimeoutError', 'KafkaJSMetadataNotLoaded',
    'KafkaJSNumberOfRetriesExceeded', 'KafkaJSLockTimeout'].includes(err.name ?? '');
}

export class AssignedConsumer implements ConsumerLink {
  private readonly parts = new Map<string, Assigned>();
  private cluster: Cluster | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  /** Ends an idle wait (nothing to fetch, or a backoff): a resume, a seek, close. */
  private poke: () => void = () => {};
  private poked: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly s: ConsumerSettings,
    private readonly groupId: string | null,
    /** Whether this reader reads the partition. */
    private readonly owns: (topic: string, partition: number) => boolean,
    private readonly log: Logger,
    private readonly hooks: ClientHooks,
    private readonly where: string,
  ) {
    this.rearm();
  }

  async start(topics: string[], h: ConsumerHandlers): Promise<void> {
    const cluster = createCluster(this.kafka, {
      metadataMaxAge: this.s.metadataMaxAge ?? DEFAULT_METADATA_MAX_AGE_MS, allowAutoTopicCreation: this.s.allowAutoTopicCreation,
      isolationLevel: this.s.readUncommitted ? READ_UNCOMMITTED : READ_COMMITTED,
    });
    this.cluster = cluster;
    try {
      await cluster.connect();
    } catch (e) {
      throw new ExternalError('kafka', `cannot connect to ${this.where}: ${(e as Error).message}`, e);
    }
    try {
      await this.targetTopics(cluster, topics);
    } catch (e) {
      await cluster.disconnect().catch(() => {});
      throw new ExternalError('kafka', `reading the partitions of ${topics.join(', ')}: ${(e as Error).message}`, e);
    }
    this.assign(topics, h);
    this.running = true;
    this.loop = this.run(topics, h).catch((e) => {
      if (this.running) h.crashed(new ExternalError('kafka', `consumer of ${topics.join(', ')} stopped: ${(e as Error).message}`, e));
    });
  }

  /**
   * Metadata for the topics, waiting a little for ones the broker is still auto-creating (the first metadata
   * answer for a new topic is UNKNOWN_TOPIC_OR_PARTITION); a topic that stays unknown fails after about 5 s.
   */
  private async targetTopics(cluster: Cluster, topics: string[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await cluster.addMultipleTargetTopics(topics);
      } catch (e) {
        if ((e as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 25) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Takes the owned partitions the metadata lists that are not assigned yet; tells the handlers of a change. */
  private assign(topics: string[], h: ConsumerHandlers): void {
    let added = false;
    for (const topic of topics) {
      for (const { partitionId } of this.cluster!.findTopicPartitionMetadata(topic)) {
        const key = keyOf(topic, partitionId);
        if (this.parts.has(key) || !this.owns(topic, partitionId)) continue;
        this.parts.set(key, { topic, partition: partitionId, next: null, paused: false, seeks: 0, finished: false });
        added = true;
      }
    }
    if (!added && this.loop !== null) return;
    const assignment: Record<string, number[]> = Object.fromEntries(topics.map((t) => [t, [] as number[]]));
    for (const p of this.parts.values()) assignment[p.topic].push(p.partition);
    for (const list of Object.values(assignment)) list.sort((a, b) => a - b);
    // The handlers seek each partition where they want it read (else it is read from its earliest offset).
    h.assigned(assignment);
  }

  private async run(topics: string[], h: ConsumerHandlers): Promise<void> {
    let failures = 0;
    while (this.running) {
      const cluster = this.cluster!;
      try {
        // Partitions added to the topics show in metadata refreshed after metadata.max.age.ms.
        await cluster.refreshMetadataIfNecessary();
        if (!this.running) return;
        this.assign(topics, h);
        await this.resolveEarliest(cluster);
        const wanted = [...this.parts.values()].filter((p) => !p.paused && !p.finished && p.next !== null);
        const leaderOf = (p: Assigned) => Object.keys(cluster.findLeaderForPartitions(p.topic, [p.partition]))[0] ?? '-1';
        const byLeader = groupBy(wanted, leaderOf);
        if (byLeader.size === 0) {
          // Nothing to fetch (all paused or finished, or nothing owned): wait for a resume, a seek or close. So a
          // bounded read that has fetched up to its stop offsets has no fetch in flight, and closes at once.
          await sleep(this.s.maxWaitTimeInMs, this.poked);
          continue;
        }
        await Promise.all([...byLeader].map(([leader, parts]) => this.fetchFrom(cluster, leader, parts, h)));
        failures = 0;
      } catch (e) {
        if (!this.running) return;
        const err = e as Error & { topic?: string; partition?: number; host?: string; port?: number };
        if (err.name === 'KafkaJSOffsetOutOfRange' && err.topic !== undefined && err.partition !== undefined) {
          // As kafkajs's consumer: the partition goes on from its earliest offset, and the reader hears of it
          // first (source.ts checks what was lost against the policy before it takes the next batch).
          const p = this.parts.get(keyOf(err.topic, err.partition));
          this.hooks.offsetOutOfRange?.(err.topic, err.partition);
          if (p) { p.next = null; p.seeks++; }
          continue;
        }
        if (!retriable(e)) throw e;
        if (err.name === 'KafkaJSConnectionClosedError' && err.host !== undefined) cluster.removeBroker({ host: err.host, port: err.port! });
        const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(failures++, 10));
        this.log.warn({ kafka: 'Consumer', error: err.message, retryInMs: wait }, `fetching from ${this.where} failed; retrying`);
        await sleep(wait, this.poked);
        if (!this.running) return;
        await cluster.refreshMetadata().catch(() => {});
      }
    }
  }

  /** Looks up the earliest offset of partitions to be read from there. */
  private async resolveEarliest(cluster: Cluster): Promise<void> {
    const todo = [...this.parts.values()].filter((p) => p.next === null && !p.finished);
    if (todo.length === 0) return;
    const byTopic = groupBy(todo, (p) => p.topic);
    const seeks = new Map(todo.map((p) => [p, p.seeks]));
    const answer = await cluster.fetchTopicsOffset([...byTopic].map(([topic, parts]) => ({ topic, partitions: parts.map((p) => ({ partition: p.partition })), fromBeginning: true })));
    for (const { topic, partitions } of answer) {
      for (const { partition, offset } of partitions) {
        const p = this.parts.get(keyOf(topic, partition));
        if (p && p.next === null && seeks.get(p) === p.seeks) p.next = Number(offset);
      }
    }
  }

  /** One fetch from a leader; each partition's records go to batch() in turn, awaited, before the next fetch. */
  private async fetchFrom(cluster: Cluster, leader: string, parts: Assigned[], h: ConsumerHandlers): Promise<void> {
    const broker = await cluster.findBroker({ nodeId: leader });
    const asked = new Map(parts.map((p) => [keyOf(p.topic, p.partition), { from: p.next!, seeks: p.seeks }]));
    const byTopic = groupBy(parts, (p) => p.topic);
    const { responses } = await broker.fetch({
      isolationLevel: this.s.readUncommitted ? READ_UNCOMMITTED : READ_COMMITTED,
      maxWaitTime: this.s.maxWaitTimeInMs, minBytes: this.s.minBytes ?? 1, maxBytes: this.s.maxBytes ?? DEFAULT_MAX_BYTES,
      topics: [...byTopic].map(([topic, list]) => ({
        topic, partitions: list.map((p) => ({ partition: p.partition, fetchOffset: String(p.next), maxBytes: this.s.maxBytesPerPartition ?? DEFAULT_PARTITION_MAX_BYTES })),
      })),
    });
    for (const { topicName: topic, partitions } of responses) {
      for (const data of partitions) {
        const key = keyOf(topic, data.partition);
        const p = this.parts.get(key);
        const ask = asked.get(key);
        // Seeked (or reset) meanwhile: the answer is for a position no longer wanted.
        if (!this.running || !p || !ask || p.seeks !== ask.seeks || p.paused) continue;
        const batch = new Batch(topic, String(ask.from), data);
        // No records at all (the log end, or the last stable offset): nothing moves. Records all filtered out
        // (control records, aborted transactions, compacted away) move the position past them, as kafkajs does.
        if (batch.isEmpty() && !batch.isEmptyDueToFiltering()) continue;
        const lastOffset = Number(batch.lastOffset());
        if (!batch.isEmpty()) {
          await h.batch({ topic, partition: data.partition, messages: batch.messages, lastOffset, highWatermark: Number(batch.highWatermark) });
          if (!this.running || p.seeks !== ask.seeks) continue;
        }
        p.next = lastOffset + 1;
        h.batchDone(topic, data.partition, lastOffset);
      }
    }
  }

  seek(topic: string, partition: number, offset: number | 'earliest'): void {
    const p = this.parts.get(keyOf(topic, partition));
    if (!p) return;
    p.next = offset === 'earliest' ? null : offset;
    p.seeks++;
    this.wake();
  }

  finish(topic: string, partition: number): void {
    const p = this.parts.get(keyOf(topic, partition));
    if (p) p.finished = true;
  }

  pause(topics: string[]): void {
    for (const p of this.parts.values()) if (topics.includes(p.topic)) p.paused = true;
  }

  resume(topics: string[]): void {
    for (const p of this.parts.values()) if (topics.includes(p.topic)) p.paused = false;
    this.wake();
  }

  async commit(offsets: { topic: string; partition: number; offset: number }[]): Promise<void> {
    if (this.groupId === null || this.cluster === null) return;
    const groupId = this.groupId;
    const byTopic = groupBy(offsets, (o) => o.topic);
    try {
      const coordinator = await this.cluster.findGroupCoordinator({ groupId, coordinatorType: 0 });
      // No generation and no member: the group's offsets are written as a consumer outside the group writes them.
      await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics: [...byTopic].map(([topic, list]) => ({ topic, partitions: list.map((o) => ({ partition: o.partition, offset: String(o.offset) })) })) });
    } catch (e) {
      throw new ExternalError('kafka', `committing offsets of group ${groupId}: ${(e as Error).message}`, e);
    }
  }

  /** Stops; a fetch in flight is waited for (kafkajs closes a connection once its requests are answered). */
  async close(): Promise<void> {
    this.running = false;
    this.wake();
    await this.cluster?.disconnect().catch(() => {});
    await this.loop;
  }

  private wake(): void {
    this.poke();
    this.rearm();
  }

  private rearm(): void {
    this.poked = new Promise((r) => (this.poke = r));
  }
}
