// The elasticsearch-7 sink writer. With a PRIMARY KEY, the document id is the key's values joined by
// document-id.key-delimiter, each spelled as Flink's key extractor does (Java toString: a TIMESTAMP is
// '2020-01-01T12:00'); +I/+U index the whole document (idempotent, so replays after a restore are harmless),
// -D deletes it, -U is skipped. Buffered actions are reduced by id (the last one wins), so a bulk request never
// holds two actions for one document and retrying a rejected item cannot overwrite a newer version. Without a
// key, rows are appended with ids Elasticsearch generates.
// A bulk request goes out at sink.bulk-flush.max-actions actions or .max-size bytes, every .interval, and on
// flush(). Unreachable nodes, 429/503 answers and rejected items are retried with the configured backoff; any
// other item error fails the job with the index, the id and Elasticsearch's reason.
import type { SinkContext, SinkWriter } from '../../core/connector.js';
import { BufferingSinkWriter } from '../../core/buffering-sink-writer.js';
import type { DataType } from '../../core/data-types.js';
import { ExternalError, UserError } from '../../core/errors.js';
import { constantBackoff, exponentialBackoff, noRetries, retry, type Backoff } from '../../core/retry.js';
import { RowKind, kindOf, type Batch, type Row } from '../../core/row.js';
import { ChangeBuffer } from '../../core/change-buffer.js';
import { jsonValue } from '../../core/values.js';
// Flink forms ids with Java's toString of each key value; the print connector already spells values that way.
import { javaDouble, javaFloat, javaString, localDateTime } from '../../core/java-strings.js';
import { createBulkClient, describeRequestError, isTransientItem, isTransientRequestError, type BulkClient, type BulkItemResult } from './client.js';
import { elasticsearchSettings, type ElasticsearchSettings } from './options.js';

/** With max-actions and max-size both 0 (no limit) a bulk request is still bounded, at this many actions. */
const UNLIMITED_BULK_ACTIONS = 10_000;
/** Exponential backoff never waits longer than this between attempts. */
const MAX_BACKOFF_DELAY_MS = 30_000;
const REQUEST_TIMEOUT_MS = 60_000;

/** One bulk action, serialized: its NDJSON lines, with the document id for error messages. */
interface Action {
  id: string | null;
  ndjson: string;
  bytes: number;
}

/** Thrown inside an attempt when some items were rejected for a transient reason: those are sent again. */
class RetryableItems extends Error {
  constructor(readonly count: number, readonly sample: BulkItemResult) {
    super(`${count} bulk items rejected, e.g. id '${sample.id}': ${sample.status} ${sample.error?.type ?? ''}: ${sample.error?.reason ?? ''}`);
  }
}

export function createSink(ctx: SinkContext): SinkWriter {
  return new ElasticsearchSinkWriter(ctx);
}

/** Spells one key value as Flink's KeyExtractor does (TimestampData.toString is a LocalDateTime, for both types). */
function idPart(type: DataType): (v: unknown) => string {
  if (type.name === 'TIMESTAMP' || type.name === 'TIMESTAMP_LTZ') return (v) => (v == null ? 'null' : localDateTime(v as number));
  return (v) => javaString(v, type);
}

class ElasticsearchSinkWriter extends BufferingSinkWriter<Action[]> {
  private readonly index: string;
  private readonly keyed: boolean;
  private readonly documentId: (row: Row) => string;
  /** Per column, its `"name":value` text in a document. */
  private readonly fieldTexts: ((row: Row) => string)[];
  private readonly settings: ElasticsearchSettings;
  private readonly maxActions: number;
  private readonly maxBytes: number;
  private readonly intervalMs: number;
  private readonly backoff: Backoff;
  private readonly backoffDescription: string;
  /** The last action per document id in first-arrival order, or (no key) actions in arrival order. */
  private readonly actions = new ChangeBuffer<Action>((a) => a.bytes);
  private client: BulkClient | null = null;

  constructor(ctx: SinkContext) {
    super(ctx, 'elasticsearch-7');
    const settings = elasticsearchSettings(ctx);
    this.settings = settings;
    this.index = settings.index;
    this.keyed = ctx.primaryKey.length > 0;
    this.fieldTexts = ctx.schema.map((f) => fieldText(f.name, f.type));
    const delimiter = settings.delimiter;
    const key = ctx.primaryKey.map((k) => {
      const f = ctx.schema.find((x) => x.name === k);
      if (!f) throw new UserError(`table '${ctx.table}': primary key column '${k}' is not a column of the table`);
      return { name: k, spell: idPart(f.type) };
    });
    this.documentId = key.length === 1
      ? (row) => key[0].spell(row[key[0].name])
      : (row) => key.map((k) => k.spell(row[k.name])).join(delimiter);
    ({ maxActions: this.maxActions, maxBytes: this.maxBytes, intervalMs: this.intervalMs } = settings);
    const { backoffStrategy: strategy, backoffDelayMs: delay, backoffMaxRetries: retries } = settings;
    this.backoff = strategy === 'DISABLED' ? noRetries
      : strategy === 'CONSTANT' ? constantBackoff(delay, retries)
      : exponentialBackoff(delay, retries, Math.max(delay, MAX_BACKOFF_DELAY_MS));
    this.backoffDescription = strategy === 'DISABLED' ? `backoff DISABLED` : `${strategy} backoff, max-retries ${retries}`;
  }

  async open(): Promise<void> {
    this.client = createBulkClient({
      hosts: this.settings.hosts,
      pathPrefix: this.settings.pathPrefix,
      username: this.settings.username,
      password: this.settings.password,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    const batchActions = this.maxActions > 0 ? this.maxActions : UNLIMITED_BULK_ACTIONS;
    this.startFlushing(batchActions, this.intervalMs);
  }

  protected buffer(batch: Batch): void {
    const { rows } = batch;
    const indexJson = JSON.stringify(this.index);
    for (let i = 0; i < rows.length; i++) {
      const kind = kindOf(batch, i);
      if (!this.keyed) {
        this.requireInsert(kind, 'appends documents', 'declare PRIMARY KEY (...) NOT ENFORCED in the DDL: the key becomes the document id');
        this.add({ id: null, ndjson: `{"index":{"_index":${indexJson}}}\n${this.document(rows[i])}\n` });
        continue;
      }
      if (kind === RowKind.UPDATE_BEFORE) continue;
      const id = this.documentId(rows[i]);
      const meta = `{"_index":${indexJson},"_id":${JSON.stringify(id)}}`;
      this.add({ id, ndjson: kind === RowKind.DELETE ? `{"delete":${meta}}\n` : `{"index":${meta}}\n${this.document(rows[i])}\n` });
    }
  }

  protected async disconnect(): Promise<void> {
    await this.client?.close().catch(() => {});
    this.client = null;
  }

  buffered(): number {
    return this.actions.length;
  }

  full(): boolean {
    const n = this.buffered();
    if (this.maxActions === 0 && this.maxBytes === 0) return n >= UNLIMITED_BULK_ACTIONS;
    return (this.maxActions > 0 && n >= this.maxActions) || (this.maxBytes > 0 && this.actions.bytes >= this.maxBytes);
  }

  take(): Action[] | null {
    if (this.buffered() === 0) return null;
    const limit = this.maxActions > 0 ? this.maxActions : UNLIMITED_BULK_ACTIONS;
    return this.actions.take((a, taken, bytes) => taken < limit && (this.maxBytes === 0 || bytes + a.bytes <= this.maxBytes));
  }

  async send(actions: Action[], signal: AbortSignal): Promise<void> {
    let pending = actions;
    let attempts = 0;
    try {
      await retry(async () => {
        attempts++;
        const items = await this.client!.bulk(pending.map((a) => a.ndjson).join(''));
        if (items.length !== pending.length) {
          throw new ExternalError('elasticsearch', `bulk response to index '${this.index}' has ${items.length} items for ${pending.length} actions`);
        }
        const again: Action[] = [];
        let sample: BulkItemResult | null = null;
        for (let i = 0; i < items.length; i++) {
          const item = items[i];
          if (item.error === undefined) continue;
          if (!isTransientItem(item)) throw this.itemFailure(item, pending[i]);
          again.push(pending[i]);
          sample ??= item;
        }
        this.ctx.metrics.recordsOut += pending.length - again.length;
        pending = again;
        if (sample !== null) throw new RetryableItems(again.length, sample);
      }, {
        backoff: this.backoff,
        retryable: (e) => e instanceof RetryableItems || isTransientRequestError(e),
        signal,
        onRetry: (e, n, delayMs) => this.ctx.log.warn({ retry: n, of: this.backoff.retries, delayMs, error: this.describe(e) },
          `bulk request of ${pending.length} actions to index '${this.index}' failed; retrying`),
      });
    } catch (e) {
      if (e instanceof ExternalError || e instanceof UserError) throw e;
      throw new ExternalError('elasticsearch',
        `bulk request of ${pending.length} actions to index '${this.index}' of table '${this.ctx.table}' failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (${this.backoffDescription}): ${this.describe(e)}`, e);
    }
  }

  private add(partial: Omit<Action, 'bytes'>): void {
    this.actions.add(partial.id, { ...partial, bytes: Buffer.byteLength(partial.ndjson) });
  }

  /** The row as a JSON document, values spelled as Flink's json format writes them. */
  private document(row: Row): string {
    let doc = '{';
    for (let c = 0; c < this.fieldTexts.length; c++) doc += (c > 0 ? ',' : '') + this.fieldTexts[c](row);
    return doc + '}';
  }

  private itemFailure(item: BulkItemResult, action: Action): ExternalError {
    const err = item.error!;
    const id = item.id || action.id || '(generated)';
    const cause = err.causedBy ? ` (caused by ${err.causedBy})` : '';
    return new ExternalError('elasticsearch',
      `table '${this.ctx.table}': index '${item.index || this.index}' refused document id '${id}': ${item.status} ${err.type}: ${err.reason}${cause}`);
  }

  private describe(e: unknown): string {
    return e instanceof RetryableItems ? e.message : describeRequestError(e);
  }

}

/**
 * A column's `"name":value` text in a document. A DOUBLE or FLOAT keeps its fraction ('100.0'), as Flink's
 * json format (Jackson) writes it: JSON.stringify writes 100, and Elasticsearch then maps a new index's field
 * by whichever value comes first, as long or as float; two subtasks writing their first documents at once
 * made both mappings at once, and the loser's documents were refused (a long mapping would also truncate).
 */
function fieldText(name: string, type: DataType): (row: Row) => string {
  const key = JSON.stringify(name) + ':';
  if (type.name === 'DOUBLE' || type.name === 'FLOAT') {
    const spell = type.name === 'DOUBLE' ? javaDouble : javaFloat;
    // NaN and the infinities have no JSON spelling: null, as JSON.stringify writes them.
    return (row) => {
      const v = row[name] as number | null | undefined;
      return key + (v === null || v === undefined || !Number.isFinite(v) ? 'null' : spell(v));
    };
  }
  return (row) => key + (JSON.stringify(jsonValue(row[name], type)) ?? 'null');
}
