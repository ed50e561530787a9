// The lookup join operator (plan node `lookupJoin`), as Flink's async lookup join in ORDERED mode: the keys of
// a whole batch are looked up at once (the lookup source puts them in few statements), while the source goes
// on reading, and the joined rows go out in input order, each with its input row's kind; watermarks and the end
// of input wait behind the rows before them. A row with a NULL key matches nothing. Flink's PARTIAL cache
// (`lookup.cache`, `lookup.partial-cache.*`) keeps looked-up rows per key: at most max-rows keys (least
// recently used out first), each for expire-after-write since it was looked up and expire-after-access since it
// was last read; keys without rows are kept too unless cache-missing-key is false. The cache is not state:
// it starts empty after a restore, as Flink's. The pump waits for the batch's lookups (the pending promises)
// before a checkpoint barrier, so no lookup is in flight in a snapshot.
import type { LookupSource } from '../core/connector.js';
import type { RowCondition } from '../core/kernels.js';
import { compositeKey } from '../core/kernels.js';
import type { OperatorMetrics } from '../core/metrics.js';
import { parseDuration } from '../core/options.js';
import type { LookupJoinNode } from '../core/plan.js';
import { rowBuilder, RowKind, type Row, type RowBuilder } from '../core/row.js';
import { Emitter, type Processor } from './processors.js';

export interface LookupCacheSettings {
  maxRows: number;
  expireAfterWriteMs: number;
  expireAfterAccessMs: number;
  cacheMissingKey: boolean;
}

/** Flink's PARTIAL cache options (checked by the connector's option schema); null: `lookup.cache` is not PARTIAL. */
export function lookupCacheSettings(options: Record<string, string>): LookupCacheSettings | null {
  if (options['lookup.cache'] !== 'PARTIAL') return null;
  const ms = (k: string) => (options[k] === undefined ? Infinity : parseDuration(options[k]));
  return {
    maxRows: options['lookup.partial-cache.max-rows'] === undefined ? Infinity : Number(options['lookup.partial-cache.max-rows']),
    expireAfterWriteMs: ms('lookup.partial-cache.expire-after-write'),
    expireAfterAccessMs: ms('lookup.partial-cache.expire-after-access'),
    cacheMissingKey: options['lookup.partial-cache.cache-missing-key'] !== 'false',
  };
}

interface CacheEntry {
  rows: Row[];
  written: number;
  accessed: number;
}

/** Flink's DefaultLookupCache: rows per key, bounded by count and by age. */
export class LookupCache {
  private readonly entries = new Map<string, CacheEntry>();
  hits = 0;
  misses = 0;

  constructor(private readonly settings: LookupCacheSettings, private readonly now: () => number) {}

  get(key: string): Row[] | undefined {
    const e = this.entries.get(key);
    const now = this.now();
    if (e === undefined || now - e.written >= this.settings.expireAfterWriteMs || now - e.accessed >= this.settings.expireAfterAccessMs) {
      if (e !== undefined) this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    e.accessed = now;
    // Most recently used last: the map's order is the eviction order.
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e.rows;
  }

  put(key: string, rows: Row[]): void {
    if (rows.length === 0 && !this.settings.cacheMissingKey) return;
    const now = this.now();
    this.entries.delete(key);
    this.entries.set(key, { rows, written: now, accessed: now });
    while (this.entries.size > this.settings.maxRows) this.entries.delete(this.entries.keys().next().value!);
  }

  size(): number {
    return this.entries.size;
  }
}

export class LookupJoinProcessor extends Emitter implements Processor {
  /** The last step queued: every output step runs after the one before it (ORDERED). */
  private tail: Promise<void> = Promise.resolve();
  private readonly build: RowBuilder;
  private readonly values: unknown[];
  private readonly keyOf: (row: Row) => unknown[] | null;

  constructor(
    private readonly node: LookupJoinNode,
    private readonly source: LookupSource,
    private readonly condition: RowCondition | null,
    metrics: OperatorMetrics,
    /** Where the pump finds the promises it waits for before reading on and before a barrier. */
    private readonly pending: Promise<void>[],
    readonly cache: LookupCache | null,
  ) {
    super(metrics);
    this.build = rowBuilder(node.schema.map((f) => f.name));
    this.values = new Array(node.schema.length);
    const inputs = node.keys.map((k) => k.input);
    this.keyOf = (row) => {
      const vs = inputs.map((c) => row[c] ?? null);
      return vs.includes(null) ? null : vs;
    };
  }

  process(rows: Row[], kinds: RowKind[] | null): void {
    this.metrics.recordsIn += rows.length;
    const keys = rows.map(this.keyOf);
    const found = this.fetch(keys);
    // Awaited in order below; a failure fails the job there, not as an unhandled rejection now.
    found.catch(() => {});
    this.then(async () => this.joinBatch(rows, kinds, keys, await found));
  }

  watermark(wm: number): void {
    this.then(() => super.watermark(wm));
  }

  endInput(): void {
    this.then(() => super.endInput());
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private then(step: () => void | Promise<void>): void {
    this.tail = this.tail.then(step);
    this.pending.push(this.tail);
  }

  /** The rows of every distinct key of a batch: from the cache, the rest in one lookup, started now. */
  private async fetch(keys: (unknown[] | null)[]): Promise<Map<string, Row[]>> {
    const found = new Map<string, Row[]>();
    const missing = new Map<string, unknown[]>();
    for (const k of keys) {
      if (k === null) continue;
      const id = compositeKey(k);
      if (found.has(id) || missing.has(id)) continue;
      const cached = this.cache?.get(id);
      if (cached !== undefined) found.set(id, cached);
      else missing.set(id, k);
    }
    if (missing.size === 0) return found;
    const ids = [...missing.keys()];
    const rows = await this.source.lookup([...missing.values()]);
    ids.forEach((id, i) => { found.set(id, rows[i]); this.cache?.put(id, rows[i]); });
    return found;
  }

  private joinBatch(rows: Row[], kinds: RowKind[] | null, keys: (unknown[] | null)[], found: Map<string, Row[]>): void {
    const out: Row[] = [];
    const outKinds: RowKind[] = [];
    for (let r = 0; r < rows.length; r++) {
      const kind = kinds === null ? RowKind.INSERT : kinds[r];
      const k = keys[r];
      let matched = false;
      for (const dim of k === null ? [] : found.get(compositeKey(k)) ?? []) {
        const joined = this.joined(rows[r], dim);
        if (this.condition !== null && this.condition(joined) !== true) continue;
        out.push(joined);
        outKinds.push(kind);
        matched = true;
      }
      if (!matched && this.node.joinType === 'left') {
        out.push(this.joined(rows[r], null));
        outKinds.push(kind);
      }
    }
    this.emit(out, kinds === null ? null : outKinds);
  }

  private joined(row: Row, dim: Row | null): Row {
    const { inputFields, lookupFields } = this.node;
    const v = this.values;
    for (let i = 0; i < inputFields.length; i++) v[i] = row[inputFields[i]] ?? null;
    for (let i = 0; i < lookupFields.length; i++) v[inputFields.length + i] = dim === null ? null : (dim[lookupFields[i].name] ?? null);
    return this.build(v);
  }
}
