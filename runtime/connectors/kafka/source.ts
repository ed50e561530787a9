// The kafka (and upsert-kafka) source reader. A kafkajs consumer fetches in the background into a bounded
// queue of per-partition chunks; poll() decodes up to MAX_ROWS records of the oldest chunk (one batch per
// partition fetch, split `topic-partition`). When the queue passes its high-water mark the consumer is paused
// and resumed only after poll() has drained it below half: a job that stops polling stops consumption instead
// of growing memory (SPEC §9). The consumer keeps heartbeating while paused, so the group does not rebalance.
//
// Positions are the next offset to hand out per partition: snapshot() reports them, open(restored) seeks there
// (a restored position wins over scan.startup.mode), checkpointComplete() commits them to the consumer group.
// Nothing is auto-committed: as in Flink, committed offsets only mirror completed checkpoints (for monitoring
// and group-offsets starts), they are never what a restore reads.
import { randomUUID } from 'node:crypto';
import type { SourceBatch, SourceContext, SourceReader } from '../../core/connector.js';
import { ExternalError, UserError } from '../../core/errors.js';
import { RowKind, type Row } from '../../core/row.js';
import { KafkaClient, type ConsumerLink, type FetchedBatch, type FetchedMessage } from './client.js';
import { readLayout, readTopics } from './options.js';
import { readKafkaSettings, type KafkaSettings } from './properties.js';
import { createRecordDecoder, type RecordDecoder } from './records.js';
import { readStartup, resolveStartOffsets, type Offsets } from './startup.js';

/** Rows per poll() at most. */
const MAX_ROWS = 1024;
/** How long poll() waits for data before returning an empty batch, so timers and idleness can run. */
const EMPTY_POLL_MS = 100;
/** The queue pauses fetching above these and resumes below half of them. */
const HIGH_WATER_RECORDS = 10_000;
const HIGH_WATER_BYTES = 8 << 20;

/** What a checkpoint holds: next offset per topic and partition. */
export interface KafkaPosition {
  offsets: Record<string, Record<string, number>>;
}

/** A source batch that also carries changelog kinds (upsert-kafka: tombstones are deletes). */
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
}

/** Records of one partition fetch, handed out front to back. */
interface Chunk {
  state: PartitionState;
  messages: readonly FetchedMessage[];
  next: number;
  /** Last offset the fetch covered (control records included): the position once the chunk is done. */
  lastOffset: number;
  bytes: number;
}

export class KafkaSourceReader implements SourceReader {
  readonly bounded = false;
  private readonly topics: string[];
  private readonly settings: KafkaSettings;
  private readonly decode: RecordDecoder;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly queue: Chunk[] = [];
  private bufferedRecords = 0;
  private bufferedBytes = 0;
  private paused = false;
  private assignment: string[] = [];
  private consumer: ConsumerLink | null = null;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  /** The record being decoded, for BadRecordError origins; read only when a record is bad. */
  private current = { topic: '', partition: 0, offset: '' };
  private readonly origin = () => `topic ${this.current.topic} partition ${this.current.partition} offset ${this.current.offset}`;

  constructor(private readonly ctx: SourceContext, private readonly upsert: boolean) {
    this.topics = readTopics(ctx.options);
    this.settings = readKafkaSettings(ctx.options, ctx.table);
    if (upsert && ctx.primaryKey.length === 0) {
      // Without the key columns a tombstone cannot say which row it deletes.
      throw new UserError(`upsert-kafka table '${ctx.table}': the source was opened without the table's primary key`);
    }
    this.decode = createRecordDecoder(readLayout(ctx, upsert), ctx.declared, ctx.fields);
  }

  /** Records fetched and not yet handed out (bounded: see HIGH_WATER_RECORDS). For tests and metrics. */
  buffered(): { records: number; bytes: number; paused: boolean } {
    return { records: this.bufferedRecords, bytes: this.bufferedBytes, paused: this.paused };
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
    const client = new KafkaClient(settings.client, ctx.log);
    const start = await this.startOffsets(client, restored as KafkaPosition | null);
    for (const [topic, offsets] of start) {
      for (const [partition, offset] of offsets) {
        const s = this.state(topic, partition);
        s.position = s.fetched = offset;
      }
    }
    // Without properties.group.id a private group: kafkajs needs one to fetch; nothing is committed to it.
    const groupId = settings.consumer.groupId ?? `sluice-${ctx.table}-${randomUUID().slice(0, 8)}`;
    this.consumer = client.consumer(settings.consumer, groupId);
    await this.consumer.start(this.topics, {
      batch: (b) => this.enqueue(b),
      assigned: (a) => this.assigned(a),
      batchDone: (topic, partition, lastOffset) => this.skipTo(topic, partition, lastOffset),
      crashed: (e) => this.fail(e),
    });
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

  /** A (re)assignment: every assigned partition continues after what is queued, or at its start offset. */
  private assigned(assignment: Record<string, number[]>): void {
    this.assignment = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const s = this.state(topic, partition);
        this.assignment.push(s.split);
        this.consumer!.seek(topic, partition, s.fetched ?? 'earliest');
      }
    }
  }

  private enqueue(b: FetchedBatch): void {
    const s = this.state(b.topic, b.partition);
    let messages = b.messages;
    // After a rebalance kafkajs may deliver a fetch that overlaps what is queued already.
    if (s.fetched !== null && messages.length > 0 && Number(messages[0].offset) < s.fetched) {
      const from = s.fetched;
      messages = messages.filter((m) => Number(m.offset) >= from);
    }
    if (s.fetched !== null && b.lastOffset < s.fetched) return;
    let bytes = 0;
    for (const m of messages) bytes += (m.value?.length ?? 0) + (m.key?.length ?? 0);
    this.queue.push({ state: s, messages, next: 0, lastOffset: b.lastOffset, bytes });
    s.fetched = b.lastOffset + 1;
    this.bufferedRecords += messages.length;
    this.bufferedBytes += bytes;
    if (!this.paused && (this.bufferedRecords >= HIGH_WATER_RECORDS || this.bufferedBytes >= HIGH_WATER_BYTES)) {
      this.paused = true;
      this.consumer!.pause(this.topics);
    }
    this.notify();
  }

  /** A fetch of control records or aborted messages only: the position moves past it when the queue gets there. */
  private skipTo(topic: string, partition: number, lastOffset: number): void {
    const s = this.state(topic, partition);
    if (s.fetched !== null && lastOffset < s.fetched) return;
    this.queue.push({ state: s, messages: [], next: 0, lastOffset, bytes: 0 });
    s.fetched = lastOffset + 1;
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

  async poll(): Promise<ChangelogSourceBatch> {
    if (this.failure) throw this.failure;
    if (this.queue.length === 0) {
      await this.waitForData();
      if (this.failure) throw this.failure;
      if (this.queue.length === 0) return { split: this.assignment[0] ?? this.topics[0], rows: [], kinds: null };
    }
    const chunk = this.queue[0];
    const s = chunk.state;
    const rows: Row[] = [];
    let kinds: RowKind[] | null = null;
    const end = Math.min(chunk.messages.length, chunk.next + MAX_ROWS);
    this.current.topic = s.topic;
    this.current.partition = s.partition;
    for (let i = chunk.next; i < end; i++) {
      const m = chunk.messages[i];
      this.current.offset = m.offset;
      const row = this.decode(m.key, m.value, this.origin);
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
    chunk.next = end;
    if (taken > 0) s.position = Number(chunk.messages[end - 1].offset) + 1;
    if (chunk.next >= chunk.messages.length) {
      this.queue.shift();
      s.position = Math.max(s.position ?? 0, chunk.lastOffset + 1);
      this.bufferedBytes -= chunk.bytes;
    }
    this.bufferedRecords -= taken;
    if (this.paused && this.bufferedRecords < HIGH_WATER_RECORDS / 2 && this.bufferedBytes < HIGH_WATER_BYTES / 2) {
      this.paused = false;
      this.consumer!.resume(this.topics);
    }
    return { split: s.split, rows, kinds };
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
    return { offsets };
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
    this.queue.length = 0;
    this.notify();
    await consumer?.close();
  }
}
