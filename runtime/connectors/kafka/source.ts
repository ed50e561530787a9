// The kafka (and upsert-kafka) source reader. A consumer of the partitions this reader owns (all of them at
// parallelism 1, a subtask's share otherwise: split-assigner.ts; no consumer group is joined, as in Flink:
// assigned-consumer.ts) fetches in the background into a bounded queue of per-partition chunks; poll() decodes
// up to MAX_ROWS records of the oldest chunk (one batch per partition fetch, split `topic-partition`). A
// bounded read tells the consumer when a partition has been fetched up to its stop offset (finish), so nothing
// is fetched past it and nothing is in flight when the read ends.
//
// Flow control. The consumer has one fetch request out per leader at a time: it hands the answer's batches to
// eachBatch (enqueue) one by one, waits for them and only then fetches again. The queue is bounded in bytes (keys, values
// and RECORD_OVERHEAD: about what the records take in a fetch), by marks sized from the fetch settings: one
// fetch brings at most F = min(fetch.max.bytes, assigned partitions × max.partition.fetch.bytes) (kafkajs's
// 10 MB and 1 MB unless set).
// - Below the high-water mark, 2 F, eachBatch queues the batch and returns: the next fetch is on its way
//   while the job works through the queue.
// - Past it, eachBatch holds the consumer until poll() has drained the queue below the low-water mark, F: it
//   fetches again as soon as there is room, and the job still has a whole fetch to work on while the next one
//   arrives. At most 2 F plus one fetch answer are queued (3 MB of records with one partition by default).
// - A job that stops polling (its sink holds it back) is not held inside eachBatch for long: after STALL_MS
//   eachBatch pauses the consumer and returns. A paused consumer fetches nothing; poll() resumes it below F.
//   Consumption stops instead of growing memory (SPEC §9). (The pause dates from kafkajs's consumer, which
//   heartbeated its group only between batches; it is kept as the state `buffered()` reports.)
// Pausing is only the fallback: with kafkajs's consumer, which slept fetch.max.wait.ms between looks at paused
// partitions, pausing at a fixed 10 000 records (less than one 1 MB fetch of small records) and resuming below
// 5 000 made nearly every fetch wait for that: the reader read 41 k records/s where kafkajs alone reads 0.6 M.
//
// Positions are the next offset to hand out per partition: snapshot() reports them, open(restored) seeks there
// (a restored position wins over scan.startup.mode), checkpointComplete() commits them to the consumer group
// (properties.group.id; without one nothing is committed).
// Nothing is auto-committed: as in Flink, committed offsets only mirror completed checkpoints (for monitoring
// and group-offsets starts), they are never what a restore reads.
//
// A position that is no longer in the log (retention or delete-records removed the records before the job read
// them: a restore from an old checkpoint, or a reader lagging behind retention) is never skipped silently
// (issue 13.1): by default the source fails naming the partition, the lost offsets and their count;
// 'scan.offset-out-of-range' = 'earliest' | 'latest' accepts the loss, counted in metrics.recordsLost and
// reported as an incident (the job's exceptions history). A restored position is checked against the log's
// bounds before the first fetch; a running reader hears of it from the consumer (which has already moved its
// fetch position to the log start) and checks the bounds before it takes the next batch of that partition.
import { partitionOwner } from './split-assigner.js';
import type { SourceBatch, SourceContext, SourceReader } from '../../core/connector.js';
import { BadRecordError, ExternalError, UserError } from '../../core/errors.js';
import { RowKind, type Row } from '../../core/row.js';
import { KafkaClient, type ConsumerLink, type FetchedBatch, type FetchedMessage, type OutRecord, type ProducerLink } from './client.js';
import { kafkaTableSettings, type OutOfRangePolicy } from './options.js';
import { readKafkaSettings, type KafkaSettings } from './properties.js';
import { createChangelogRecordDecoder, createRecordDecoder, type ChangelogRecordDecoder, type RecordDecoder } from './records.js';
import { isChangelogFormat, keepBadRecords } from '../../formats/index.js';
import { readBounded, readStartup, resolveStartOffsets, resolveStopOffsets, type Offsets } from './startup.js';

/** Rows per poll() at most. */
const MAX_ROWS = 1024;
/** How long poll() waits for data before returning an empty batch, so timers and idleness can run. */
const EMPTY_POLL_MS = 100;
/** The fetch sizes when properties.fetch.max.bytes / max.partition.fetch.bytes leave them unset (kafkajs's, as the consumer's). */
const KAFKAJS_FETCH_MAX_BYTES = 10 << 20;
const KAFKAJS_PARTITION_FETCH_MAX_BYTES = 1 << 20;
/** How long eachBatch waits for room at most before pausing the consumer. */
const STALL_MS = 1000;
/**
 * Bytes a record takes in a fetch besides its key and value (record format v2: length, attributes, timestamp
 * and offset deltas, key and value lengths, header count), so that the queue's bytes compare with fetch sizes
 * also for tiny records.
 */
const RECORD_OVERHEAD = 10;

/** What a checkpoint holds: next offset per topic and partition. */
export interface KafkaPosition {
  offsets: Record<string, Record<string, number>>;
  /**
   * Where the job's first run started reading (scan.startup.mode resolved), carried through restores: with
   * `offsets`, the input range the job has consumed, which `sluice reconcile` re-reads as a batch.
   */
  start?: Record<string, Record<string, number>>;
}

/** A source batch that also carries changelog kinds (upsert-kafka: tombstones are deletes; debezium-json, canal-json). */
export interface ChangelogSourceBatch extends SourceBatch {
  kinds: RowKind[] | null;
}

export function createKafkaSource(ctx: SourceContext, upsert: boolean): KafkaSourceReader {
  return new KafkaSourceReader(ctx, upsert);
}

interface PartitionState {
  topic: string;
  partition: number;
  split: string;
  /** Next offset to hand out; null until known (a partition that appeared after the start). */
  position: number | null;
  /** Next offset to fetch: after everything queued. */
  fetched: number | null;
  /** The log end offset at the last fetch: the lag is high - position. */
  high?: number;
}

/** Records of one partition fetch, handed out front to back. */
interface Chunk {
  state: PartitionState;
  messages: readonly FetchedMessage[];
  next: number;
  /** Last offset the fetch covered (control records included): the position once the chunk is done. */
  lastOffset: number;
  /** Bytes of the records not yet handed out (see RECORD_OVERHEAD), spread evenly over them. */
  bytes: number;
  /** The partition's next records are lost and the job must fail: thrown when the queue gets here. */
  error?: Error;
}

/** Headers of a dead letter (as Kafka Connect's __connect.errors.*): where the record came from and why it is there. */
export const DEAD_LETTER_HEADERS = {
  table: '__sluice.errors.table',
  topic: '__sluice.errors.topic',
  partition: '__sluice.errors.partition',
  offset: '__sluice.errors.offset',
  reason: '__sluice.errors.reason',
} as const;

/** The record as it was read (raw key and value bytes), with the headers naming its origin and the reason. */
function deadLetter(table: string, s: PartitionState, m: FetchedMessage, e: BadRecordError): OutRecord {
  const h = DEAD_LETTER_HEADERS;
  return {
    key: m.key, value: m.value,
    headers: [
      { key: h.table, value: table }, { key: h.topic, value: s.topic }, { key: h.partition, value: String(s.partition) },
      { key: h.offset, value: m.offset }, { key: h.reason, value: e.reason },
    ],
  };
}

/** Records of a partition were deleted before the job read them, and the table does not accept the loss. */
export class OffsetOutOfRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OffsetOutOfRangeError';
  }
}

export class KafkaSourceReader implements SourceReader {
  /** scan.bounded.mode: the offset to stop before, per split, once resolved at open; null: unbounded. */
  private stop: Map<string, number> | null = null;
  private readonly boundedBy: ReturnType<typeof readBounded>;
  /** The job's first start positions (KafkaPosition.start). */
  private start: KafkaPosition['offsets'] = {};
  private readonly topics: string[];
  private readonly settings: KafkaSettings;
  private readonly decode: RecordDecoder;
  /** A changelog value format's decoder (debezium-json, canal-json), used instead of `decode`; else null. */
  private readonly changes: ChangelogRecordDecoder | null;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly queue: Chunk[] = [];
  private bufferedRecords = 0;
  private bufferedBytes = 0;
  private paused = false;
  /** Ends batch()'s wait for room (the consumer fetches again once it returns); set while it waits. */
  private room: (() => void) | null = null;
  /** One fetch's bytes at most (F in the header), for the current assignment. */
  private fetchBytes = 0;
  private readonly outOfRange: OutOfRangePolicy;
  /** Partitions whose fetch position the consumer reported out of range; checked before their next batch is queued. */
  private readonly reset = new Set<string>();
  private client: KafkaClient | null = null;
  /** scan.dead-letter-queue.topic: where records that cannot be decoded go instead of failing the job. */
  private readonly deadLetterTopic: string | null;
  private deadLetters: ProducerLink | null = null;
  private assignment: string[] = [];
  private consumer: ConsumerLink | null = null;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  /** The record being decoded, for BadRecordError origins; read only when a record is bad. */
  private current = { topic: '', partition: 0, offset: '' };
  private readonly origin = () => `topic ${this.current.topic} partition ${this.current.partition} offset ${this.current.offset}`;

  constructor(private readonly ctx: SourceContext, private readonly upsert: boolean) {
    const table = kafkaTableSettings(ctx, upsert);
    this.topics = table.topics;
    this.boundedBy = readBounded(ctx.options);
    this.settings = readKafkaSettings(ctx.options, ctx.table);
    if (upsert && ctx.primaryKey.length === 0) {
      // Without the key columns a tombstone cannot say which row it deletes.
      throw new UserError(`upsert-kafka table '${ctx.table}': the source was opened without the table's primary key`);
    }
    this.deadLetterTopic = table.deadLetterTopic;
    const layout = table.layout;
    // With a dead-letter topic, records ignore-parse-errors would drop are kept there too.
    const decoding = this.deadLetterTopic === null ? layout
      : { ...layout, valueOptions: keepBadRecords(layout.valueOptions), keyOptions: keepBadRecords(layout.keyOptions) };
    this.changes = isChangelogFormat(layout.valueFormat) ? createChangelogRecordDecoder(decoding, ctx.declared, ctx.fields) : null;
    this.decode = this.changes === null ? createRecordDecoder(decoding, ctx.declared, ctx.fields) : () => undefined;
    this.outOfRange = table.outOfRange;
    this.sizeFetch(1);
  }

  /** Records fetched and not yet handed out, their bytes (see RECORD_OVERHEAD) and the marks (see the header). For tests and metrics. */
  get bounded(): boolean {
    return this.boundedBy !== null;
  }

  buffered(): { records: number; bytes: number; paused: boolean; highWaterBytes: number; lowWaterBytes: number } {
    return { records: this.bufferedRecords, bytes: this.bufferedBytes, paused: this.paused, highWaterBytes: 2 * this.fetchBytes, lowWaterBytes: this.fetchBytes };
  }

  /** F in the header: what one fetch of `partitions` partitions brings at most. */
  private sizeFetch(partitions: number): void {
    const { maxBytes, maxBytesPerPartition } = this.settings.consumer;
    this.fetchBytes = Math.min(maxBytes ?? KAFKAJS_FETCH_MAX_BYTES, Math.max(1, partitions) * (maxBytesPerPartition ?? KAFKAJS_PARTITION_FETCH_MAX_BYTES));
  }

  private state(topic: string, partition: number): PartitionState {
    const split = `${topic}-${partition}`;
    let s = this.partitions.get(split);
    if (!s) this.partitions.set(split, (s = { topic, partition, split, position: null, fetched: null }));
    return s;
  }

  async open(restored: unknown | null): Promise<void> {
    const { ctx, settings } = this;
    if (settings.ignored.length > 0) ctx.log.warn({ table: ctx.table, ignored: settings.ignored }, 'kafka properties not used by the Node client');
    const client = new KafkaClient(settings.client, ctx.log, { offsetOutOfRange: (topic, partition) => this.reset.add(`${topic}-${partition}`) });
    this.client = client;
    const start = await this.startOffsets(client, restored as KafkaPosition | null);
    if (restored !== null) await this.checkRestored(client, start);
    for (const [topic, offsets] of start) {
      for (const [partition, offset] of offsets) {
        if (!this.owns(topic, partition)) continue;
        const s = this.state(topic, partition);
        s.position = s.fetched = offset;
      }
    }
    this.start = (restored as KafkaPosition | null)?.start ?? (restored === null ? offsetsRecord(start) : {});
    if (this.boundedBy !== null) await this.resolveStop(client);
    this.consumer = client.consumer(settings.consumer, settings.consumer.groupId, (topic, partition) => this.owns(topic, partition));
    await this.consumer.start(this.topics, {
      batch: (b) => this.enqueue(b),
      assigned: (a) => this.assigned(a),
      batchDone: (topic, partition, lastOffset) => this.skipTo(topic, partition, lastOffset),
      crashed: (e) => this.fail(e),
    });
  }

  /** Whether this subtask reads the partition (all of them at parallelism 1; split-assigner.ts). */
  private owns(topic: string, partition: number): boolean {
    const sub = this.ctx.subtask;
    return !sub || sub.parallelism === 1 || partitionOwner(topic, partition, sub.parallelism) === sub.index;
  }

  private async resolveStop(client: KafkaClient): Promise<void> {
    const admin = await client.admin();
    try {
      this.stop = new Map();
      for (const [topic, offsets] of await resolveStopOffsets(admin, this.topics, this.boundedBy!, this.settings.consumer)) {
        for (const [partition, offset] of offsets) {
          if (!this.owns(topic, partition)) continue;
          this.stop.set(`${topic}-${partition}`, offset);
          this.state(topic, partition).position ??= 0;
        }
      }
    } finally {
      await admin.close();
    }
  }

  /** A bounded read is over when every partition's position has reached its stop offset. */
  private exhausted(): boolean {
    if (this.stop === null) return false;
    for (const [split, stop] of this.stop) {
      const s = this.partitions.get(split)!;
      if ((s.position ?? 0) < stop) return false;
    }
    return true;
  }

  private async startOffsets(client: KafkaClient, restored: KafkaPosition | null): Promise<Offsets> {
    const out: Offsets = new Map();
    const fresh: string[] = [];
    for (const topic of this.topics) {
      const saved = restored?.offsets[topic];
      if (saved) out.set(topic, new Map(Object.entries(saved).map(([p, o]) => [Number(p), o])));
      else fresh.push(topic);
    }
    const dropped = Object.keys(restored?.offsets ?? {}).filter((t) => !this.topics.includes(t));
    if (dropped.length > 0) this.ctx.log.warn({ table: this.ctx.table, topics: dropped }, 'the checkpoint has positions for topics this table no longer reads; they are ignored');
    // After a restore, partitions the checkpoint does not know were not read before it: they start at the
    // earliest offset (as Flink treats newly discovered partitions), so nothing that arrived meanwhile is lost.
    if (fresh.length === 0 || restored !== null) return out;
    // A fresh start: scan.startup.mode says where.
    const admin = await client.admin();
    try {
      for (const [topic, offsets] of await resolveStartOffsets(admin, fresh, readStartup(this.ctx.options, this.upsert), this.settings.consumer)) out.set(topic, offsets);
    } finally {
      await admin.close();
    }
    return out;
  }

  /** Moves restored positions that are no longer in the log as the policy says (or fails). */
  private async checkRestored(client: KafkaClient, start: Offsets): Promise<void> {
    const admin = await client.admin();
    try {
      for (const [topic, offsets] of start) {
        for (const { partition, low, high } of await admin.offsets(topic)) {
          const position = offsets.get(partition);
          if (position !== undefined && (position < low || position > high)) offsets.set(partition, this.lost(topic, partition, position, low, high));
        }
      }
    } finally {
      await admin.close();
    }
  }

  /**
   * The position of a partition is out of the log's bounds [low, high]: throws OffsetOutOfRangeError, or counts
   * and reports the loss and returns where the partition continues.
   */
  private lost(topic: string, partition: number, position: number, low: number, high: number): number {
    const what = `table '${this.ctx.table}': topic ${topic} partition ${partition}: `;
    const count = position < low ? low - position : 0;
    const loss = position < low
      ? `offsets ${position}..${low - 1} (${count} records) were deleted (retention or delete-records) before the job read them`
      : `the position ${position} is beyond the end of the log (${high}): was the topic deleted and created again?`;
    if (this.outOfRange === 'fail') {
      throw new OffsetOutOfRangeError(`${what}${loss}; to accept the loss and continue, set 'scan.offset-out-of-range' = 'earliest' or 'latest'`);
    }
    const next = this.outOfRange === 'earliest' ? low : high;
    const lostCount = this.outOfRange === 'latest' ? count + Math.max(0, high - Math.max(position, low)) : count;
    const message = `${what}${loss}; 'scan.offset-out-of-range' = '${this.outOfRange}': continues at offset ${next}` +
      (this.outOfRange === 'latest' && next > Math.max(position, low) ? `, skipping offsets ${Math.max(position, low)}..${next - 1}` : '');
    this.ctx.metrics.recordsLost += lostCount;
    this.ctx.metrics.incidents.push({ name: 'OffsetOutOfRange', message });
    this.ctx.log.warn({ table: this.ctx.table, topic, partition, position, low, high, lost: lostCount }, message);
    return next;
  }

  /**
   * The consumer reported the partition's fetch position out of range and restarted it at the log start: what was
   * between our position and the log bounds is lost. Queued in order, so that everything read before is handed
   * out first: a failure (thrown when poll() gets there) or a gap up to where the policy continues.
   */
  private async afterReset(s: PartitionState, b: FetchedBatch): Promise<void> {
    const position = s.fetched!;
    try {
      const admin = await this.client!.admin();
      const bounds = await admin.offsets(s.topic).finally(() => admin.close());
      const { low, high } = bounds.find((p) => p.partition === s.partition) ?? { low: position, high: position };
      if (position >= low && position <= high) return this.enqueue(b);
      const next = this.lost(s.topic, s.partition, position, low, high);
      this.queue.push({ state: s, messages: [], next: 0, lastOffset: next - 1, bytes: 0 });
      s.fetched = next;
      return this.enqueue(b);
    } catch (e) {
      this.queue.push({ state: s, messages: [], next: 0, lastOffset: position - 1, bytes: 0, error: e as Error });
      // Nothing more of this partition is queued: the job fails when the queue reaches the error.
      s.fetched = Number.MAX_SAFE_INTEGER;
      this.notify();
    }
  }

  /** A (re)assignment: every assigned partition continues after what is queued, or at its start offset. */
  private assigned(assignment: Record<string, number[]>): void {
    this.assignment = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const s = this.state(topic, partition);
        this.assignment.push(s.split);
        this.consumer!.seek(topic, partition, s.fetched ?? 'earliest');
        this.finishIfDone(s);
      }
    }
    this.sizeFetch(this.assignment.length);
  }

  /** A bounded read that has fetched the partition up to its stop offset (or does not read it) fetches no more of it. */
  private finishIfDone(s: PartitionState): void {
    if (this.stop === null) return;
    const stop = this.stop.get(s.split);
    if (stop === undefined || (s.fetched !== null && s.fetched >= stop)) this.consumer?.finish(s.topic, s.partition);
  }

  /**
   * The consumer's batch(): queues the batch; at the high-water mark, returns a promise that holds the consumer
   * back until there is room (it awaits batch() before fetching again; test/kafka/source.test.ts checks that a
   * slowly polled reader stays within its marks without pausing).
   */
  private enqueue(b: FetchedBatch): void | Promise<void> {
    const s = this.state(b.topic, b.partition);
    if (this.reset.delete(s.split) && s.fetched !== null) return this.afterReset(s, b);
    let messages = b.messages;
    // A fetch that overlaps what is queued already (a reassignment) hands out only what is new.
    if (s.fetched !== null && messages.length > 0 && Number(messages[0].offset) < s.fetched) {
      const from = s.fetched;
      messages = messages.filter((m) => Number(m.offset) >= from);
    }
    let lastOffset = b.lastOffset;
    const stop = this.stop?.get(s.split);
    if (stop !== undefined) {
      // A bounded read hands out nothing at or after the stop offset (nor from partitions that appeared later).
      if (messages.length > 0 && Number(messages[messages.length - 1].offset) >= stop) messages = messages.filter((m) => Number(m.offset) < stop);
      lastOffset = Math.min(lastOffset, stop - 1);
    } else if (this.stop !== null) return;
    if (s.fetched !== null && lastOffset < s.fetched) return;
    let bytes = messages.length * RECORD_OVERHEAD;
    for (let i = 0; i < messages.length; i++) bytes += (messages[i].value?.length ?? 0) + (messages[i].key?.length ?? 0);
    if (b.highWatermark !== undefined) s.high = Math.max(s.high ?? 0, b.highWatermark);
    this.queue.push({ state: s, messages, next: 0, lastOffset, bytes });
    s.fetched = lastOffset + 1;
    this.finishIfDone(s);
    this.bufferedRecords += messages.length;
    this.bufferedBytes += bytes;
    this.notify();
    if (this.bufferedBytes < 2 * this.fetchBytes || this.paused || this.consumer === null) return;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // The job has not made room for a while: pause, so that the consumer waits without holding a batch.
        if (this.room === done && this.consumer !== null && this.bufferedBytes >= this.fetchBytes) {
          this.paused = true;
          this.consumer.pause(this.topics);
        }
        done();
      }, STALL_MS);
      const done = () => {
        clearTimeout(timer);
        if (this.room === done) this.room = null;
        resolve();
      };
      this.room = done;
    });
  }

  /** Below the low-water mark: lets the consumer fetch again (ends batch()'s wait, or resumes a paused consumer). */
  private makeRoom(): void {
    this.room?.();
    if (this.paused) {
      this.paused = false;
      this.consumer?.resume(this.topics);
    }
  }

  /** A fetch of control records or aborted messages only: the position moves past it when the queue gets there. */
  private skipTo(topic: string, partition: number, lastOffset: number): void {
    const s = this.state(topic, partition);
    const stop = this.stop?.get(s.split);
    if (stop !== undefined) lastOffset = Math.min(lastOffset, stop - 1);
    if (s.fetched !== null && lastOffset < s.fetched) return;
    this.queue.push({ state: s, messages: [], next: 0, lastOffset, bytes: 0 });
    s.fetched = lastOffset + 1;
    this.finishIfDone(s);
  }

  private fail(e: Error): void {
    this.failure = e;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private waitForData(): Promise<void> {
    if (this.ctx.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.ctx.signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, EMPTY_POLL_MS);
      this.ctx.signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  async poll(): Promise<ChangelogSourceBatch | null> {
    if (this.failure) throw this.failure;
    if (this.queue.length === 0) {
      if (this.exhausted()) return null;
      await this.waitForData();
      if (this.failure) throw this.failure;
      if (this.queue.length === 0) return { split: this.assignment[0] ?? this.topics[0], rows: [], kinds: null };
    }
    const chunk = this.queue[0];
    if (chunk.error) throw chunk.error;
    const s = chunk.state;
    const rows: Row[] = [];
    let kinds: RowKind[] | null = null;
    const end = Math.min(chunk.messages.length, chunk.next + MAX_ROWS);
    this.current.topic = s.topic;
    this.current.partition = s.partition;
    let dead: OutRecord[] | null = null;
    for (let i = chunk.next; i < end; i++) {
      const m = chunk.messages[i];
      this.current.offset = m.offset;
      let row;
      try {
        if (this.changes !== null) {
          // A changelog record adds its changes itself (an update adds two rows, a Canal message one per entry).
          if (this.changes(m.key, m.value, this.origin, rows, kinds ??= []) === null) this.ctx.metrics.badRecordsSkipped++;
          continue;
        }
        row = this.decode(m.key, m.value, this.origin);
      } catch (e) {
        if (!(e instanceof BadRecordError) || this.deadLetterTopic === null) throw e;
        (dead ??= []).push(deadLetter(this.ctx.table, s, m, e));
        this.ctx.metrics.badRecordsSkipped++;
        continue;
      }
      if (row === undefined) continue;
      if (row === null) {
        this.ctx.metrics.badRecordsSkipped++;
        continue;
      }
      if (this.upsert) {
        kinds ??= [];
        kinds.push(m.value === null ? RowKind.DELETE : RowKind.UPDATE_AFTER);
      }
      rows.push(row);
    }
    const taken = end - chunk.next;
    // The chunk's bytes leave the queue as its records do (evenly), so the low-water mark is seen mid-chunk.
    const bytes = end === chunk.messages.length ? chunk.bytes : Math.floor((chunk.bytes * taken) / (chunk.messages.length - chunk.next));
    chunk.bytes -= bytes;
    this.bufferedBytes -= bytes;
    chunk.next = end;
    if (taken > 0) s.position = Number(chunk.messages[end - 1].offset) + 1;
    if (chunk.next >= chunk.messages.length) {
      this.queue.shift();
      s.position = Math.max(s.position ?? 0, chunk.lastOffset + 1);
    }
    this.bufferedRecords -= taken;
    if (this.bufferedBytes < this.fetchBytes) this.makeRoom();
    this.ctx.metrics.pendingRecords = this.lag();
    // Acknowledged before the position moves past them (a checkpoint is taken after poll() returns).
    if (dead !== null) await this.sendDeadLetters(dead);
    return { split: s.split, rows, kinds };
  }

  private async sendDeadLetters(records: OutRecord[]): Promise<void> {
    const topic = this.deadLetterTopic!;
    this.deadLetters ??= await this.client!.producer(this.settings.producer, { transactionalId: null, partitioner: 'default' });
    await this.deadLetters.send(topic, records);
    this.ctx.log.warn({ table: this.ctx.table, topic, records: records.length, first: records[0].headers?.find((h) => h.key === DEAD_LETTER_HEADERS.reason)?.value },
      'records that cannot be decoded went to the dead-letter topic');
  }

  /** Records in the partitions' logs not handed out yet (Flink's pendingRecords): the consumer lag. */
  private lag(): number {
    let lag = 0;
    for (const s of this.partitions.values()) if (s.high !== undefined && s.position !== null) lag += Math.max(0, s.high - s.position);
    return lag;
  }

  splits(): string[] {
    return this.assignment;
  }

  snapshot(): KafkaPosition {
    const offsets: KafkaPosition['offsets'] = {};
    for (const s of this.partitions.values()) {
      if (s.position === null) continue;
      (offsets[s.topic] ??= {})[s.partition] = s.position;
    }
    return Object.keys(this.start).length > 0 ? { offsets, start: this.start } : { offsets };
  }

  async checkpointComplete(position: unknown): Promise<void> {
    const { groupId, commitOnCheckpoint } = this.settings.consumer;
    if (groupId === null || !commitOnCheckpoint || this.consumer === null) return;
    const offsets = Object.entries((position as KafkaPosition).offsets).flatMap(([topic, partitions]) =>
      Object.entries(partitions).map(([partition, offset]) => ({ topic, partition: Number(partition), offset })));
    if (offsets.length === 0) return;
    try {
      await this.consumer.commit(offsets);
    } catch (e) {
      // As Flink: a failed commit only delays what monitoring sees; the next checkpoint commits again.
      this.ctx.log.warn({ table: this.ctx.table, err: e instanceof ExternalError ? e.message : e }, 'committing offsets to the consumer group failed');
    }
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    this.client = null;
    await this.deadLetters?.close().catch(() => {});
    this.deadLetters = null;
    this.queue.length = 0;
    this.notify();
    // The consumer's close waits for batch() to return.
    this.room?.();
    await consumer?.close();
  }
}

function offsetsRecord(offsets: Offsets): KafkaPosition['offsets'] {
  const out: KafkaPosition['offsets'] = {};
  for (const [topic, partitions] of offsets) out[topic] = Object.fromEntries(partitions);
  return out;
}
