// Writes records to one topic in order, with bounded memory, for the kafka sink and `sluice datagen`.
// Records collect for linger.ms (or until a request's worth, max.request.size) and go out in one send at a
// time: a single request in flight keeps records in order even across retries, which upsert-kafka relies on
// (a key's updates must not overtake each other). add() returns a promise while the records accepted but not
// yet acknowledged exceed buffer.memory: that promise is the backpressure that holds the job back.
//
// Exactly-once: the producer writes into a transaction it does not own (two-phase-commit.ts: one per job
// subtask, shared by the subtask's exactly-once kafka sinks, so their outputs commit together). hold() sends
// everything added so far into it and waits for the acknowledgements; records added after that belong to the
// next transaction: they are held back until release() (after the commit), within the same memory bound, so
// a slow commit holds the job back instead of growing memory.
import { ExternalError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { KafkaClient, OutRecord, ProducerLink, RecordPosition, SinkPartitioner } from './client.js';
import type { ProducerSettings } from './properties.js';
import { recordSize } from './record-batch.js';

/**
 * Records per request at most, besides the byte limit (max.request.size). Encoding costs the same per record at
 * any size (record-batch.ts), so requests are as large as the broker takes: with one request in flight, a
 * round trip of a few ms on a busy machine carried only ~0.07 M records/s at 500 records a request.
 */
const MAX_RECORDS_PER_SEND = 16_384;
/**
 * Bound on what is accepted but not acknowledged, besides buffer.memory: two requests' worth (in records and
 * in bytes), so the next request is full and waiting when the one in flight is acknowledged; more only adds
 * latency and heap (at 200 000 records the Kafka → Kafka job peaked 100-150 MB higher).
 */
const MAX_UNACKED_RECORDS = 2 * MAX_RECORDS_PER_SEND;

export type DeliveryGuarantee = 'at-least-once' | 'exactly-once' | 'none';

export interface RecordProducerOptions {
  topic: string;
  settings: ProducerSettings;
  guarantee: DeliveryGuarantee;
  partitioner: SinkPartitioner;
  log: Logger;
}

/** The transaction an exactly-once producer writes into (two-phase-commit.ts). */
export interface TransactionWriter {
  send(topic: string, records: OutRecord[], partitioner: SinkPartitioner): Promise<RecordPosition[]>;
}


/** Records taken for one request, with their size. */
interface Part {
  records: OutRecord[];
  bytes: number;
}

/**
 * Records waiting to be sent, oldest first, each with its size (measured once, in add()). Requests are taken
 * from the front by moving a head index: splicing them off an array that holds up to MAX_UNACKED_RECORDS
 * would move every record behind them, for every request.
 */
class RecordQueue {
  private records: OutRecord[] = [];
  private sizes: number[] = [];
  private head = 0;
  bytes = 0;

  get length(): number {
    return this.records.length - this.head;
  }

  push(r: OutRecord, size: number): void {
    this.records.push(r);
    this.sizes.push(size);
    this.bytes += size;
  }

  /** The oldest records that fit in one request (at least one), removed from the queue. */
  take(maxRecords: number, maxBytes: number): Part {
    const { sizes, head } = this;
    const limit = Math.min(sizes.length, head + maxRecords);
    let bytes = sizes[head];
    let end = head + 1;
    while (end < limit && bytes + sizes[end] <= maxBytes) bytes += sizes[end++];
    const records = this.records.slice(head, end);
    this.bytes -= bytes;
    if (end === this.records.length) {
      this.records = [];
      this.sizes = [];
      this.head = 0;
    } else if (end >= 4096 && end * 2 >= this.records.length) {
      // Drop the sent front once it is most of the arrays (amortised: each record is moved at most once).
      this.records = this.records.slice(end);
      this.sizes = this.sizes.slice(end);
      this.head = 0;
    } else {
      this.head = end;
    }
    return { records, bytes };
  }
}

export class RecordProducer {
  private pending = new RecordQueue();
  /** Accepted and not yet acknowledged (pending plus in flight). */
  private unackedRecords = 0;
  private unackedBytes = 0;
  private sending: Promise<void> | null = null;
  /** While a transaction is (being) pre-committed or the producer closes: nothing is sent from `pending`. */
  private held = false;
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly maxSendBytes: number;
  private readonly maxUnackedBytes: number;

  /** `link` without exactly-once, `transaction` with it. */
  private constructor(private readonly link: ProducerLink | null, private readonly transaction: TransactionWriter | null, private readonly o: RecordProducerOptions) {
    // Leave room for the request's own headers below max.request.size.
    this.maxSendBytes = Math.max(1024, Math.floor(o.settings.maxRequestBytes * 0.9));
    this.maxUnackedBytes = Math.min(o.settings.bufferMemory, 2 * this.maxSendBytes);
  }

  /** At-least-once or none: a producer of its own. */
  static async open(client: KafkaClient, o: RecordProducerOptions): Promise<RecordProducer> {
    if (o.guarantee === 'exactly-once') throw new Error('an exactly-once producer writes into a shared transaction: RecordProducer.inTransaction()');
    return new RecordProducer(await client.producer(o.settings, { transactionalId: null, partitioner: o.partitioner }), null, o);
  }

  /** Exactly-once: writes into `transaction`, which commits and aborts (two-phase-commit.ts). */
  static inTransaction(transaction: TransactionWriter, o: RecordProducerOptions): RecordProducer {
    return new RecordProducer(null, transaction, o);
  }

  /** Takes records; returns a promise while too much is unacknowledged (backpressure). Throws after a failed send. */
  add(records: OutRecord[]): void | Promise<void> {
    if (this.failure) throw this.failure;
    const pending = this.pending;
    const before = pending.bytes;
    for (let i = 0; i < records.length; i++) pending.push(records[i], recordSize(records[i]));
    this.unackedBytes += pending.bytes - before;
    this.unackedRecords += records.length;
    if (pending.bytes >= this.maxSendBytes || pending.length >= MAX_RECORDS_PER_SEND) this.kick();
    else if (this.timer === null && this.sending === null) this.timer = setTimeout(() => this.kick(), this.o.settings.lingerMs);
    if (this.full()) {
      this.kick();
      return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
  }

  private full(): boolean {
    return this.unackedBytes >= this.maxUnackedBytes || this.unackedRecords >= MAX_UNACKED_RECORDS;
  }

  /** Starts sending unless a send is under way (it takes what is pending when it finishes) or sending is held. */
  private kick(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.sending !== null || this.pending.length === 0 || this.failure || this.held) return;
    this.sending = this.sendPending().finally(() => {
      this.sending = null;
      // Records added while the last send was finishing found it still under way: send them now.
      this.kick();
    });
  }

  /** Never rejects: a failure is kept and thrown by the next add(), flush() or hold(). */
  private async sendPending(): Promise<void> {
    try {
      // A pre-commit stops the loop between requests: what it leaves belongs to the next transaction.
      while (this.pending.length > 0 && !this.held) {
        await this.sendPart(this.take(this.pending));
      }
    } catch (e) {
      this.fail(e);
    }
  }

  private async sendPart({ records, bytes }: Part): Promise<void> {
    if (this.transaction !== null) await this.transaction.send(this.o.topic, records, this.o.partitioner);
    else await this.link!.send(this.o.topic, records);
    this.unackedRecords -= records.length;
    this.unackedBytes -= bytes;
    if (!this.full()) for (const w of this.waiters.splice(0)) w.resolve();
  }

  /** Keeps the first failure for every later call, and fails writers waiting for room. */
  private fail(e: unknown): Error {
    this.failure ??= e instanceof ExternalError ? e : new ExternalError('kafka', (e as Error).message, e);
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
    return this.failure;
  }

  /** The oldest records of `queue` that fit in one request, removed from it. */
  private take(queue: RecordQueue): Part {
    return queue.take(MAX_RECORDS_PER_SEND, this.maxSendBytes);
  }

  /**
   * Sends everything added so far and waits for the acknowledgements. With delivery guarantee 'none' it only
   * hands the records to the client. Exactly-once producers use hold() and release() instead.
   */
  async flush(): Promise<void> {
    if (this.o.guarantee === 'exactly-once') throw new Error('an exactly-once producer is flushed by hold()');
    if (this.o.guarantee === 'none') {
      this.kick();
      if (this.failure) throw this.failure;
      return;
    }
    await this.drain();
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
   * Exactly-once, phase one: sends everything added so far into the transaction and waits for the
   * acknowledgements; records added from now on wait for release() (the next transaction). Called again before
   * release(), it sends what was added meanwhile into the same transaction.
   */
  async hold(): Promise<void> {
    if (this.transaction === null) throw new Error('hold() needs an exactly-once producer');
    if (this.failure) throw this.failure;
    // Taken synchronously: records added from here on (a timer's) are the next transaction's.
    this.held = true;
    const ours = this.pending;
    this.pending = new RecordQueue();
    try {
      await this.sending; // the request in flight when the pre-commit began
      if (this.failure) throw this.failure;
      while (ours.length > 0) await this.sendPart(this.take(ours));
    } catch (e) {
      throw this.fail(e);
    }
  }

  /** After the transaction was committed (or had nothing to commit): the held records begin the next one. */
  release(): void {
    this.held = false;
    this.kick();
  }

  /**
   * Without exactly-once, sends what is pending (best effort: a failure is logged) and disconnects. With
   * exactly-once, drops what is pending: the transaction's owner aborts what it holds, as only its commit
   * makes records visible.
   */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    try {
      if (this.transaction !== null) {
        this.held = true;
        this.pending = new RecordQueue();
        await this.sending;
      } else {
        await this.drain();
      }
    } catch (e) {
      this.o.log.warn({ topic: this.o.topic, err: (e as Error).message }, 'records not delivered when the Kafka producer closed');
    } finally {
      for (const w of this.waiters.splice(0)) w.resolve();
      await this.link?.close();
    }
  }
}
