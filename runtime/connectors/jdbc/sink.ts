// The jdbc sink writer (MySQL / MariaDB). With a PRIMARY KEY it buffers changes reduced by key, as Flink's
// buffer-reduce executor does (the last change to a key wins; -U is skipped, since the +U that follows
// carries the new row), and writes a buffer in one transaction: multi-row INSERT ... ON DUPLICATE KEY UPDATE
// for +I/+U, DELETE by key for -D. Both are idempotent, so replaying rows after a restore, or retrying a
// batch whose commit was lost, gives the same table. Without a key it appends rows with INSERT.
// A buffer is sent when sink.buffer-flush.max-rows records arrived, every sink.buffer-flush.interval, and on
// flush() (checkpoints, end of input). Transient failures (server down, connection lost, deadlock) are retried
// up to sink.max-retries times, waiting 1 s, 2 s, 4 s ... (at most connection.max-retry-timeout) between
// attempts; then the write fails with an ExternalError and the job fails over.
import type { SinkContext, SinkWriter } from '../../core/connector.js';
import { BufferingSinkWriter } from '../../core/buffering-sink-writer.js';
import { ExternalError, UserError } from '../../core/errors.js';
import { describeError, exponentialBackoff, retry, type Backoff } from '../../core/retry.js';
import { RowKind, kindOf, type Batch } from '../../core/row.js';
import { ChangeBuffer } from '../../core/change-buffer.js';
import { createSqlClient, isTransientSqlError, type SqlClient, type SqlConnection } from './client.js';
import { jdbcSettings, type JdbcSettings } from './options.js';
import { checkTable } from './schema-check.js';
import { ROWS_PER_STATEMENT, Statements, quoteIdentifier, rowBinder } from './sql.js';
import { parseJdbcUrl, type JdbcTarget } from './url.js';

/** With sink.buffer-flush.max-rows = 0 (no count limit) the buffer is still bounded, at this many entries. */
const UNLIMITED_BATCH_ROWS = 10_000;
/** Flink waits 1 s before the first retry. */
const FIRST_RETRY_DELAY_MS = 1000;

/** A buffered change: the bound values of the row, and whether it deletes the key. */
interface Change {
  values: unknown[];
  delete: boolean;
}

/** What one send writes: rows to upsert or append, keys to delete. */
interface JdbcBatch {
  rows: unknown[][];
  deleteKeys: unknown[][];
}

export function createSink(ctx: SinkContext): SinkWriter {
  return new JdbcSinkWriter(ctx);
}

class JdbcSinkWriter extends BufferingSinkWriter<JdbcBatch> {
  private readonly target: JdbcTarget;
  private readonly settings: JdbcSettings;
  private readonly tableName: string;
  private readonly where: string;
  private readonly keyed: boolean;
  private readonly keyIndexes: number[];
  private readonly bind: (row: Record<string, unknown>) => unknown[];
  private readonly statements: Statements;
  private readonly maxRows: number;
  private readonly intervalMs: number;
  private readonly maxRetries: number;
  private readonly backoff: Backoff;
  private readonly connectTimeoutMs: number;
  /** The last change per key in first-arrival order, or (no key) rows in arrival order. */
  private readonly changes = new ChangeBuffer<Change>();
  /** Records taken since the last send started (Flink counts records, not distinct keys). */
  private received = 0;
  private client: SqlClient | null = null;

  constructor(ctx: SinkContext) {
    super(ctx, 'jdbc');
    const parsed = parseJdbcUrl(ctx.options.url ?? '');
    if ('error' in parsed) throw new UserError(`table '${ctx.table}': invalid option 'url': ${parsed.error}`);
    this.target = parsed;
    this.settings = jdbcSettings(ctx);
    this.tableName = this.settings.tableName;
    this.where = `table '${ctx.table}' (MySQL ${quoteIdentifier(parsed.database)}.${quoteIdentifier(this.tableName)} at ${parsed.host}:${parsed.port})`;
    const columns = ctx.schema.map((f) => f.name);
    this.keyed = ctx.primaryKey.length > 0;
    this.keyIndexes = ctx.primaryKey.map((k) => {
      const i = columns.indexOf(k);
      if (i < 0) throw new UserError(`table '${ctx.table}': primary key column '${k}' is not a column of the table`);
      return i;
    });
    this.bind = rowBinder(ctx.schema);
    this.statements = new Statements(this.tableName, columns, ctx.primaryKey);
    const { maxRows, intervalMs, maxRetries, maxRetryTimeoutMs } = this.settings;
    this.maxRows = maxRows;
    this.intervalMs = intervalMs;
    this.maxRetries = maxRetries;
    this.backoff = exponentialBackoff(FIRST_RETRY_DELAY_MS, maxRetries, maxRetryTimeoutMs);
    this.connectTimeoutMs = maxRetryTimeoutMs;
  }

  async open(): Promise<void> {
    if (this.target.ignored.length > 0) {
      this.ctx.log.info({ parameters: this.target.ignored }, 'jdbc URL parameters are Java driver settings and are ignored');
    }
    this.client = createSqlClient({
      host: this.target.host,
      port: this.target.port,
      database: this.target.database,
      user: this.settings.username ?? this.target.user,
      password: this.settings.password ?? this.target.password,
      connectTimeoutMs: this.connectTimeoutMs,
    });
    const warnings = await this.withRetries('checking', () => this.withConnection((conn) =>
      checkTable(conn, this.ctx.table, this.target.database, this.tableName, this.ctx.schema, this.ctx.primaryKey)));
    for (const w of warnings) this.ctx.log.warn(w);
    const batchRows = this.maxRows > 0 ? this.maxRows : UNLIMITED_BATCH_ROWS;
    this.startFlushing(batchRows, this.intervalMs);
  }

  protected buffer(batch: Batch): void {
    const { rows } = batch;
    if (this.keyed) {
      for (let i = 0; i < rows.length; i++) {
        const kind = kindOf(batch, i);
        if (kind === RowKind.UPDATE_BEFORE) continue;
        const values = this.bind(rows[i]);
        this.changes.add(this.keyOf(values), { values, delete: kind === RowKind.DELETE });
        this.received++;
      }
    } else {
      for (let i = 0; i < rows.length; i++) {
        this.requireInsert(kindOf(batch, i), 'appends rows', 'declare PRIMARY KEY (...) NOT ENFORCED in the DDL so that updates and deletes are applied by key');
        this.changes.add(null, { values: this.bind(rows[i]), delete: false });
      }
      this.received += rows.length;
    }
  }

  protected async disconnect(): Promise<void> {
    await this.client?.end().catch(() => {});
    this.client = null;
  }

  buffered(): number {
    return this.changes.length;
  }

  full(): boolean {
    return this.maxRows > 0 ? this.received >= this.maxRows : this.buffered() >= UNLIMITED_BATCH_ROWS;
  }

  take(): JdbcBatch | null {
    if (this.buffered() === 0) return null;
    this.received = 0;
    const batch: JdbcBatch = { rows: [], deleteKeys: [] };
    for (const change of this.changes.take()) {
      if (change.delete) batch.deleteKeys.push(this.keyIndexes.map((k) => change.values[k]));
      else batch.rows.push(change.values);
    }
    return batch;
  }

  async send(batch: JdbcBatch, signal: AbortSignal): Promise<void> {
    const count = batch.rows.length + batch.deleteKeys.length;
    await this.withRetries(`writing ${count} rows to`, () => this.withConnection(async (conn) => {
      // One transaction per batch: a retry after a failure starts from a table without half a batch.
      await conn.query('START TRANSACTION');
      for (let i = 0; i < batch.rows.length; i += ROWS_PER_STATEMENT) {
        const chunk = batch.rows.slice(i, i + ROWS_PER_STATEMENT);
        const sql = this.keyed ? this.statements.upsert(chunk.length) : this.statements.insert(chunk.length);
        await conn.query(sql, chunk.flat());
      }
      for (let i = 0; i < batch.deleteKeys.length; i += ROWS_PER_STATEMENT) {
        const chunk = batch.deleteKeys.slice(i, i + ROWS_PER_STATEMENT);
        await conn.query(this.statements.delete(chunk.length), chunk.flat());
      }
      await conn.query('COMMIT');
    }), signal);
    this.ctx.metrics.recordsOut += count;
  }

  private keyOf(values: unknown[]): string {
    const k = this.keyIndexes;
    return k.length === 1 ? String(values[k[0]]) : JSON.stringify(k.map((i) => values[i]));
  }


  /** Runs `work` on a pooled connection; a connection that saw an error is closed, never pooled again. */
  private async withConnection<T>(work: (conn: SqlConnection) => Promise<T>): Promise<T> {
    const conn = await this.client!.connect();
    try {
      const result = await work(conn);
      conn.release();
      return result;
    } catch (e) {
      // Closing also rolls back an open transaction on the server.
      conn.destroy();
      throw e;
    }
  }

  /** Retries transient failures with backoff; words the final failure as an ExternalError (UserErrors pass). */
  private async withRetries<T>(what: string, attempt: () => Promise<T>, signal = this.ctx.signal): Promise<T> {
    let attempts = 0;
    try {
      return await retry(() => { attempts++; return attempt(); }, {
        backoff: this.backoff,
        retryable: isTransientSqlError,
        signal,
        onRetry: (e, n, delayMs) => this.ctx.log.warn(
          { retry: n, of: this.maxRetries, delayMs, error: describeError(e) }, `${what} ${this.where} failed; retrying`),
      });
    } catch (e) {
      if (e instanceof UserError) throw e;
      const tries = attempts > 1 ? ` after ${attempts} attempts (sink.max-retries = ${this.maxRetries})` : '';
      throw new ExternalError('mysql', `${what} ${this.where} failed${tries}: ${describeError(e)}`, e);
    }
  }
}
