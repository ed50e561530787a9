// The kafka and upsert-kafka sink writer: rows encoded to records (value, and a key from key.fields or the
// primary key) and handed to a RecordProducer, whose promise is write()'s backpressure.
//
// flush() is the checkpoint hook: the runtime calls it before a checkpoint completes and at the end of
// input. At-least-once: it returns once every record written so far is acknowledged by the broker.
// Exactly-once: it pre-commits the Kafka transaction that holds them (two-phase-commit.ts), and
// checkpointComplete() commits it once the checkpoint holding snapshot() is stored, so a read_committed
// consumer sees a checkpoint's records all at once, only after the checkpoint, and never again after a restore.
// The exactly-once sinks of one job subtask on one cluster share that transaction, so their outputs commit
// together; its id is `<sink.transactional-id-prefix>-<subtask>` (0 without parallel subtasks), so a
// restarted job fences its predecessor and aborts the transaction it left open.
//
// upsert-kafka: +I/+U write the row under its key, -U is skipped (the +U that follows replaces the value), -D
// writes a tombstone. With sink.buffer-flush.max-rows and .interval set, rows are first reduced per key so
// only the last change of each key within the interval is sent (Flink's buffered upsert sink).
import type { SinkContext, SinkWriter } from '../../core/connector.js';
import { UserError } from '../../core/errors.js';
import { isChangelogFormat } from '../../formats/format-options.js';
import { kindOf, ROW_KIND_SHORT, RowKind, type Batch } from '../../core/row.js';
import { KafkaClient, type OutRecord } from './client.js';
import { kafkaTableSettings, type KafkaTableSettings } from './options.js';
import { RecordProducer, type DeliveryGuarantee, type RecordProducerOptions } from './producer.js';
import { readKafkaSettings } from './properties.js';
import { createRecordEncoder, type RecordEncoder } from './records.js';
import { TwoPhaseCommit } from './two-phase-commit.js';

export function createKafkaSink(ctx: SinkContext, upsert: boolean): SinkWriter {
  return new KafkaSinkWriter(ctx, upsert);
}

class KafkaSinkWriter implements SinkWriter {
  private readonly encoder: RecordEncoder;
  /** The value format writes changes (debezium-json, canal-json): every row kind becomes a record. */
  private readonly changelog: boolean;
  private readonly topic: string;
  private producer: RecordProducer | null = null;
  /** With exactly-once: the commit protocol around `producer`. */
  private twoPhase: TwoPhaseCommit | null = null;
  /** upsert-kafka's per-key reduce buffer, when sink.buffer-flush.* is set. */
  private readonly reduce: Map<string, OutRecord> | null;
  private readonly reduceMaxRows: number;
  private readonly reduceIntervalMs: number;
  private reduceTimer: NodeJS.Timeout | null = null;

  private readonly table: KafkaTableSettings;

  constructor(private readonly ctx: SinkContext, private readonly upsert: boolean) {
    this.table = kafkaTableSettings(ctx, upsert);
    this.encoder = createRecordEncoder(this.table.layout, ctx.schema);
    this.changelog = isChangelogFormat(this.table.layout.valueFormat);
    this.topic = this.table.topics[0];
    this.reduceMaxRows = this.table.bufferMaxRows;
    this.reduceIntervalMs = this.table.bufferIntervalMs;
    this.reduce = upsert && this.reduceMaxRows > 0 && this.reduceIntervalMs > 0 ? new Map() : null;
  }

  async open(restored: unknown | null): Promise<void> {
    const { ctx } = this;
    const settings = readKafkaSettings(ctx.options, ctx.table);
    if (settings.ignored.length > 0) ctx.log.warn({ table: ctx.table, ignored: settings.ignored }, 'kafka properties not used by the Node client');
    const guarantee: DeliveryGuarantee = this.table.guarantee;
    const prefix = this.table.transactionalIdPrefix;
    if (guarantee === 'exactly-once' && !prefix) {
      throw new UserError(`table '${ctx.table}': 'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'`);
    }
    const client = new KafkaClient(settings.client, ctx.log);
    const producer: RecordProducerOptions = {
      topic: this.topic,
      settings: settings.producer,
      guarantee,
      partitioner: this.table.partitioner,
      log: ctx.log,
    };
    if (guarantee !== 'exactly-once') {
      if (restored !== null) ctx.log.info({ table: ctx.table }, 'the restored exactly-once state is not needed with this delivery guarantee');
      this.producer = await RecordProducer.open(client, producer);
      return;
    }
    // The sinks of one job subtask share its run's abort signal: the scope of their shared transaction. The
    // subtask index is SinkContext.subtask's (0 without parallel subtasks).
    const subtask = ctx.subtask?.index ?? 0;
    this.twoPhase = await TwoPhaseCommit.open({
      client, producer, consumer: settings.consumer, table: ctx.table, log: ctx.log, prefix: prefix!, scope: ctx.signal, subtask, parallelism: ctx.subtask?.parallelism ?? 1,
      cluster: [...settings.client.brokers].sort().join(','),
    }, restored);
    this.producer = this.twoPhase.producer;
  }

  /** A scale-down's vanished subtasks: their transactions settled (two-phase-commit.ts); without exactly-once they left none. */
  async takeOver(vanished: { subtask: number; state: unknown }[]): Promise<void> {
    if (this.twoPhase) await this.twoPhase.takeOver(vanished);
    else this.ctx.log.info({ table: this.ctx.table, subtasks: vanished.map((v) => v.subtask) }, 'the exactly-once state of vanished subtasks is not needed with this delivery guarantee');
  }

  write(batch: Batch): void | Promise<void> {
    const { rows } = batch;
    const records: OutRecord[] = [];
    for (let i = 0; i < rows.length; i++) {
      const kind = kindOf(batch, i);
      const row = rows[i];
      if (this.changelog) {
        records.push({ key: this.encoder.key(row), value: this.encoder.value(row, kind) });
      } else if (!this.upsert) {
        if (kind !== RowKind.INSERT) throw new UserError(`kafka sink of table '${this.ctx.table}' takes inserts only, got ${ROW_KIND_SHORT[kind]}`, "use 'upsert-kafka' with a PRIMARY KEY for an updating query");
        records.push({ key: this.encoder.key(row), value: this.encoder.value(row) });
      } else if (kind !== RowKind.UPDATE_BEFORE) {
        records.push({ key: this.encoder.key(row), value: kind === RowKind.DELETE ? null : this.encoder.value(row) });
      }
    }
    if (this.reduce === null) return this.producer!.add(records);
    for (const r of records) {
      // Re-inserting moves the key to the end, so the buffer keeps the order of each key's last change.
      this.reduce.delete(r.key as string);
      this.reduce.set(r.key as string, r);
    }
    if (this.reduce.size >= this.reduceMaxRows) return this.releaseReduced();
    this.reduceTimer ??= setTimeout(() => {
      this.reduceTimer = null;
      // A failure surfaces at the next write() or flush().
      void Promise.resolve(this.releaseReduced()).catch(() => {});
    }, this.reduceIntervalMs);
  }

  private releaseReduced(): void | Promise<void> {
    if (this.reduceTimer !== null) clearTimeout(this.reduceTimer);
    this.reduceTimer = null;
    const records = [...this.reduce!.values()];
    this.reduce!.clear();
    return this.producer!.add(records);
  }

  async flush(): Promise<void> {
    if (this.reduce !== null && this.reduce.size > 0) await this.releaseReduced();
    if (this.twoPhase) await this.twoPhase.preCommit();
    else await this.producer!.flush();
  }

  /** Exactly-once: the pre-committed transaction, for checkpointComplete() and restores. Otherwise nothing to keep. */
  snapshot(): unknown {
    return this.twoPhase?.snapshot() ?? null;
  }

  /** Exactly-once: commits the transaction `state` names. Otherwise flush() made the records durable already. */
  async checkpointComplete(state: unknown): Promise<void> {
    await this.twoPhase?.commit(state);
  }

  async close(): Promise<void> {
    if (this.reduceTimer !== null) clearTimeout(this.reduceTimer);
    this.reduceTimer = null;
    if (this.twoPhase) await this.twoPhase.close();
    else await this.producer?.close();
    this.producer = null;
    this.twoPhase = null;
  }
}
