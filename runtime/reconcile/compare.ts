// Compares what a sink table holds with what it should hold, row by row under the table's key, and
// attributes the differences a correct stream can legitimately have: records it dropped as late, windows its
// watermark had not closed, input after the checkpoint, doubles within a relative tolerance, and the
// duplicates an at-least-once sink writes again after a restart. What is left is unexplained.
import type { Field } from '../core/data-types.js';
import type { Row } from '../core/row.js';

export type Reason = 'late records' | 'window not closed' | 'input after the checkpoint' | 'float tolerance' | 'at-least-once duplicate';

export interface Difference {
  kind: 'missing' | 'extra' | 'changed';
  /** The row's key columns (the whole row when the table has no key). */
  key: Record<string, unknown>;
  expected: Row | null;
  found: Row | null;
  /** Why it is legitimate; absent: unexplained. */
  reason?: Reason;
}

export interface TableComparison {
  matched: number;
  /** Unexplained differences by kind. */
  missing: number;
  extra: number;
  changed: number;
  /** Differences with a legitimate reason, by reason. */
  explained: Partial<Record<Reason, number>>;
  /** Every difference (the report shows a few). */
  differences: Difference[];
}

export interface CompareInput {
  columns: readonly Field[];
  key: readonly string[] | null;
  expected: readonly Row[];
  found: readonly Row[];
  /** An append-only sink that may write a row again after a restart (kafka at-least-once, filesystem). */
  atLeastOnce: boolean;
  /** Keys whose result depends on records a stream drops as late. */
  lateKeys: ReadonlySet<string>;
  /** Keys of windows a stream's watermark had not closed at the end of the range. */
  unclosedKeys: ReadonlySet<string>;
  /** Keys whose result changes with input after the range. */
  tailKeys: ReadonlySet<string>;
  /** Relative tolerance for DOUBLE and FLOAT columns. */
  tolerance: number;
}

/**
 * JSON text of values, DECIMALs (bigints, core/decimal.ts) as their digits with an n, a MAP held as a JS Map as
 * its entries and BYTES as their numbers (JSON.stringify writes both as {}): equal values, equal texts.
 */
export const valuesText = (v: unknown): string => JSON.stringify(v, (_k, x) => (
  typeof x === 'bigint' ? `${x}n` : x instanceof Map ? { map: [...x] } : x instanceof Uint8Array ? { bytes: [...x] } : x));

/** The key of a row as a string: equal keys, equal strings. */
export function keyOf(row: Row, key: readonly string[] | null, columns: readonly Field[]): string {
  return valuesText((key ?? columns.map((c) => c.name)).map((c) => row[c] ?? null));
}

type Likeness = 'equal' | 'close' | 'different';

function compareRows(a: Row, b: Row, columns: readonly Field[], tolerance: number): Likeness {
  let close = false;
  for (const c of columns) {
    const x = a[c.name] ?? null;
    const y = b[c.name] ?? null;
    if (x === y) continue;
    // ARRAY, MAP, ROW and BYTES values are objects: equal when their contents are.
    if (typeof x === 'object' && typeof y === 'object' && x !== null && y !== null && valuesText(x) === valuesText(y)) continue;
    if (typeof x === 'number' && typeof y === 'number' && (c.type.name === 'DOUBLE' || c.type.name === 'FLOAT')) {
      if (Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y))) { close = true; continue; }
    }
    return 'different';
  }
  return close ? 'close' : 'equal';
}

function groupByKey(rows: readonly Row[], input: CompareInput): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  for (const r of rows) {
    const k = keyOf(r, input.key, input.columns);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

export function compareTable(input: CompareInput): TableComparison {
  const { columns, tolerance } = input;
  const expected = groupByKey(input.expected, input);
  const found = groupByKey(input.found, input);
  const out: TableComparison = { matched: 0, missing: 0, extra: 0, changed: 0, explained: {}, differences: [] };
  const add = (d: Difference) => {
    out.differences.push(d);
    if (d.reason) out.explained[d.reason] = (out.explained[d.reason] ?? 0) + 1;
    else out[d.kind]++;
  };
  for (const k of new Set([...expected.keys(), ...found.keys()])) {
    const e = [...(expected.get(k) ?? [])];
    const f = [...(found.get(k) ?? [])];
    const sample = e[0] ?? f[0];
    const key = Object.fromEntries((input.key ?? columns.map((c) => c.name)).map((c) => [c, sample[c] ?? null]));
    const matchedRows: Row[] = [];
    for (const likeness of ['equal', 'close'] as const) {
      for (let i = 0; i < e.length; i++) {
        const j = f.findIndex((r) => compareRows(e[i], r, columns, tolerance) === likeness);
        if (j < 0) continue;
        if (likeness === 'equal') out.matched++;
        else add({ kind: 'changed', key, expected: e[i], found: f[j], reason: 'float tolerance' });
        matchedRows.push(e[i]);
        e.splice(i--, 1);
        f.splice(j, 1);
      }
    }
    const reasonFor = (kind: Difference['kind']): Reason | undefined => {
      if (input.tailKeys.has(k)) return 'input after the checkpoint';
      if (input.lateKeys.has(k) && (kind !== 'extra' || input.atLeastOnce)) return 'late records';
      if (input.unclosedKeys.has(k) && kind === 'missing') return 'window not closed';
      return undefined;
    };
    for (const r of f.splice(0).filter((row) => {
      // A row written again after a restart by an at-least-once sink: equal to one that matched.
      if (input.atLeastOnce && matchedRows.some((m) => compareRows(m, row, columns, tolerance) !== 'different')) {
        add({ kind: 'extra', key, expected: null, found: row, reason: 'at-least-once duplicate' });
        return false;
      }
      return true;
    })) f.push(r);
    while (e.length > 0 && f.length > 0) add({ kind: 'changed', key, expected: e.shift()!, found: f.shift()!, reason: reasonFor('changed') });
    for (const r of e) add({ kind: 'missing', key, expected: r, found: null, reason: reasonFor('missing') });
    for (const r of f) add({ kind: 'extra', key, expected: null, found: r, reason: reasonFor('extra') });
  }
  return out;
}

/** Keys whose rows differ between two results of the same job (as multisets per key). */
export function differingKeys(a: readonly Row[], b: readonly Row[], key: readonly string[] | null, columns: readonly Field[]): Set<string> {
  const count = (rows: readonly Row[]) => {
    const m = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const k = keyOf(r, key, columns);
      const text = valuesText(columns.map((c) => r[c.name] ?? null));
      const inner = m.get(k) ?? new Map<string, number>();
      inner.set(text, (inner.get(text) ?? 0) + 1);
      m.set(k, inner);
    }
    return m;
  };
  const x = count(a);
  const y = count(b);
  const out = new Set<string>();
  for (const k of new Set([...x.keys(), ...y.keys()])) {
    const p = x.get(k) ?? new Map();
    const q = y.get(k) ?? new Map();
    if (p.size !== q.size || [...p].some(([t, n]) => q.get(t) !== n)) out.add(k);
  }
  return out;
}
