// Writes records to one topic in order, with bounded memory, for the kafka sink and `sluice datagen`.
// Records collect for linger.ms (or until a request's worth, max.request.size) and go out in one send at a
// time: a single request in flight keeps records in order even across retries, which upsert-kafka relies on
// (a key's updates must not overtake each other). add() returns a promise while the records accepted but not
// yet acknowledged exceed buffer.memory: that promise is the backpressure that holds the job back.
//
// Transactions (exactly-once): the first send after a flush begins a transaction, flush() sends the rest and
// commits it; close() without flush() aborts it. Opening fences any earlier producer with the same
// transactional id, and Kafka aborts that producer's open transaction, so records of a crashed run that were
// never flushed never become visible.
import { ExternalError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { KafkaClient, OutRecord, ProducerLink, SinkPartitioner, TransactionLink } from './client.js';
import type { ProducerSettings } from './properties.js';

/** Records per request at most, besides the byte limit: kafkajs encodes ~1000-2000 records per send fastest. */
const MAX_RECORDS_PER_SEND = 2000;
/** Bound on records accepted but not acknowledged, besides buffer.memory. */
const MAX_UNACKED_RECORDS = 200_000;
/** Bytes a record costs beyond its key and value in a request (offsets, lengths, headers). */
const RECORD_OVERHEAD = 70;

export type DeliveryGuarantee = 'at-least-once' | 'exactly-once' | 'none';

export interface RecordProducerOptions {
  topic: string;
  settings: ProducerSettings;
  guarantee: DeliveryGuarantee;
  /** Required for exactly-once. */
  transactionalId: string | null;
  partitioner: SinkPartitioner;
  log: Logger;
}

const sizeOf = (r: OutRecord) => RECORD_OVERHEAD + byteLength(r.key) + byteLength(r.value);
const byteLength = (v: Buffer | string | null) => (v === null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

export class RecordProducer {
  private pending: OutRecord[] = [];
  private pendingBytes = 0;
  /** Accepted and not yet acknowledged (pending plus in flight). */
  private unackedRecords = 0;
  private unackedBytes = 0;
  private sending: Promise<void> | null = null;
  private committing: Promise<void> | null = null;
  private tx: TransactionLink | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly maxSendBytes: number;

  private constructor(private readonly link: ProducerLink, private readonly o: RecordProducerOptions) {
    // Leave room for the request's own headers below max.request.size.
    this.maxSendBytes = Math.max(1024, Math.floor(o.settings.maxRequestBytes * 0.9));
  }

  static async open(client: KafkaClient, o: RecordProducerOptions): Promise<RecordProducer> {
    const transactional = o.guarantee === 'exactly-once';
    if (transactional && !o.transactionalId) throw new Error('exactly-once delivery needs a transactional id');
    const link = await client.producer(o.settings, { transactionalId: transactional ? o.transactionalId : null, partitioner: o.partitioner });
    if (transactional) {
      // An empty transaction registers the id with the coordinator: this fences older producers now, not at the first write.
      await (await link.begin()).abort();
    }
    return new RecordProducer(link, o);
  }

  /** Takes records; returns a promise while too much is unacknowledged (backpressure). Throws after a failed send. */
  add(records: OutRecord[]): void | Promise<void> {
    if (this.failure) throw this.failure;
    for (const r of records) {
      const size = sizeOf(r);
      this.pending.push(r);
      this.pendingBytes += size;
      this.unackedBytes += size;
    }
    this.unackedRecords += records.length;
    if (this.pendingBytes >= this.maxSendBytes || this.pending.length >= MAX_RECORDS_PER_SEND) this.kick();
    else if (this.timer === null && this.sending === null) this.timer = setTimeout(() => this.kick(), this.o.settings.lingerMs);
    if (this.full()) {
      this.kick();
      return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
  }

  private full(): boolean {
    return this.unackedBytes >= this.o.settings.bufferMemory || this.unackedRecords >= MAX_UNACKED_RECORDS;
  }

  /** Starts sending unless a send is under way (it takes what is pending when it finishes). */
  private kick(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.sending !== null || this.pending.length === 0 || this.failure) return;
    this.sending = this.sendPending().finally(() => {
      this.sending = null;
      // Records added while the last send was finishing found it still under way: send them now.
      this.kick();
    });
  }

  private async sendPending(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        // A commit under way closes the transaction these records must not join.
        if (this.committing) await this.committing;
        const part = this.take();
        let bytes = 0;
        for (const r of part) bytes += sizeOf(r);
        if (this.o.guarantee === 'exactly-once') {
          this.tx ??= await this.link.begin();
          await this.tx.send(this.o.topic, part);
        } else {
          await this.link.send(this.o.topic, part);
        }
        this.unackedRecords -= part.length;
        this.unackedBytes -= bytes;
        if (!this.full()) for (const w of this.waiters.splice(0)) w.resolve();
      }
    } catch (e) {
      this.failure = e instanceof ExternalError ? e : new ExternalError('kafka', (e as Error).message, e);
      for (const w of this.waiters.splice(0)) w.reject(this.failure);
    }
  }

  /** The oldest pending records that fit in one request. */
  private take(): OutRecord[] {
    let bytes = 0;
    let n = 0;
    while (n < this.pending.length && n < MAX_RECORDS_PER_SEND) {
      const size = sizeOf(this.pending[n]);
      if (n > 0 && bytes + size > this.maxSendBytes) break;
      bytes += size;
      n++;
    }
    const part = this.pending.splice(0, n);
    this.pendingBytes -= bytes;
    return part;
  }

  /**
   * Sends everything added so far and waits for the acknowledgements; with exactly-once, commits the
   * transaction. With delivery guarantee 'none' it only hands the records to the client.
   */
  async flush(): Promise<void> {
    if (this.o.guarantee === 'none') {
      this.kick();
      if (this.failure) throw this.failure;
      return;
    }
    await this.drain();
    const tx = this.tx;
    if (tx === null) return;
    this.tx = null;
    this.committing = tx.commit();
    try {
      await this.committing;
    } finally {
      this.committing = null;
    }
  }

  /** Waits until nothing is pending or in flight; throws the send failure if there was one. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0 || this.sending !== null) {
      this.kick();
      if (this.failure) break;
      await this.sending;
    }
    if (this.failure) throw this.failure;
  }

  /**
   * Without exactly-once, sends what is pending (best effort: a failure is logged) and disconnects. With
   * exactly-once, aborts the open transaction: records not flushed are never committed.
   */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    try {
      if (this.o.guarantee === 'exactly-once') {
        this.pending = [];
        await this.sending;
        if (this.tx) await this.tx.abort();
      } else {
        await this.drain();
      }
    } catch (e) {
      this.o.log.warn({ topic: this.o.topic, err: (e as Error).message }, 'records not delivered when the Kafka producer closed');
    } finally {
      this.tx = null;
      for (const w of this.waiters.splice(0)) w.resolve();
      await this.link.close();
    }
  }
}
