// The answer file every engine of the benchmark writes, byte for byte the format of the peers' 'capture' sink
// (bench/peers/flink-java/.../CaptureSink.java), so answers compare with a plain file comparison:
//   first line the column names (checksum mode: count,sum_<col>...), then the rows as CSV lines sorted by
//   UTF-16 code units (Java's String order); TIMESTAMP as 'yyyy-MM-dd HH:mm:ss.SSS', DOUBLE as the exact
//   decimal value of the double without trailing zeros, NULL as an empty field; plus <file>.meta.json with
//   the first and last record times. Checksum sums are exact (10 M timestamps add up past 2^63).
// Used in the sluice process (capture-hook.ts, behind the collect sink) and by the hand-written loops.
import fs from 'node:fs';
import path from 'node:path';

export type CaptureMode = 'checksum' | 'append' | 'upsert';

export interface CaptureColumn {
  name: string;
  /** SQL type name as in the plan: BIGINT, INT, DOUBLE, STRING, TIMESTAMP, ... */
  type: string;
}

export interface CaptureSpec {
  /** The answer file; its meta data goes to <path>.meta.json. */
  path: string;
  mode: CaptureMode;
  columns: CaptureColumn[];
  /** Upsert mode: the primary key columns. */
  primaryKey: string[];
  /**
   * For unbounded sources (Kafka): the number of records after which the run is complete; the time of that
   * record becomes lastRecordEpochMs and onComplete is called (the capture hook stops the job).
   */
  stopAfter?: number;
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INT', 'INTEGER', 'BIGINT']);
const STRING_TYPES = new Set(['STRING', 'VARCHAR', 'CHAR']);
const TIMESTAMP_TYPES = new Set(['TIMESTAMP', 'TIMESTAMP_LTZ']);
const SMALL = 2 ** 52;

/** An exact integer sum: a double while it stays exact (|sum| <= 2^52), spilled into a BigInt beyond. */
export class ExactSum {
  private small = 0;
  private big = 0n;

  add(v: number): void {
    if (v > SMALL || v < -SMALL) { this.big += BigInt(v); return; }
    const s = this.small + v;
    if (s > SMALL || s < -SMALL) { this.big += BigInt(s); this.small = 0; } else this.small = s;
  }

  value(): bigint {
    return this.big + BigInt(this.small);
  }
}

/** The exact decimal value of a double, trailing zeros stripped (Java: new BigDecimal(d).stripTrailingZeros().toPlainString()). */
export function exactDecimal(d: number): string {
  if (!Number.isFinite(d)) return String(d);
  if (Number.isInteger(d)) return BigInt(d).toString();
  // d = n / 2^k exactly for the smallest k; n / 2^k = n * 5^k / 10^k.
  let k = 0;
  let m = d;
  while (!Number.isInteger(m)) { m *= 2; k++; }
  const negative = m < 0;
  const digits = (BigInt(Math.abs(m)) * 5n ** BigInt(k)).toString().padStart(k + 1, '0');
  const text = `${digits.slice(0, digits.length - k)}.${digits.slice(digits.length - k)}`.replace(/0+$/, '');
  return (negative ? '-' : '') + text;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Epoch millis (wall clock read as UTC) as 'yyyy-MM-dd HH:mm:ss.SSS'. */
export function formatTimestamp(ms: number): string {
  const t = new Date(ms);
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1, 2)}-${pad(t.getUTCDate(), 2)} ${pad(t.getUTCHours(), 2)}:${pad(t.getUTCMinutes(), 2)}:${pad(t.getUTCSeconds(), 2)}.${pad(t.getUTCMilliseconds(), 3)}`;
}

/** One value as the capture sink prints it. */
export function formatCell(v: unknown, type: string): string {
  if (v === null || v === undefined) return '';
  if (TIMESTAMP_TYPES.has(type)) return formatTimestamp(v as number);
  if (type === 'DOUBLE' || type === 'FLOAT') return exactDecimal(v as number);
  const s = String(v);
  return /[,"\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export interface AnswerMeta {
  mode: CaptureMode;
  /** Epoch ms of the first record the sink received; -1 if none. */
  firstRecordEpochMs: number;
  lastRecordEpochMs: number;
  /** Records the sink received (changelog records for upsert). */
  records: number;
  /** Epoch ms at which the process started, when the writer knows it (sluice's capture hook). */
  processStartEpochMs?: number;
}

/** Writes the answer (lines sorted here) and its meta data, as CaptureSink.writeOut does. */
export function writeAnswer(file: string, header: string, lines: string[], meta: AnswerMeta): void {
  lines.sort();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${header}\n${lines.map((l) => `${l}\n`).join('')}`);
  fs.renameSync(`${file}.tmp`, file);
  const m = {
    firstRecordEpochMs: meta.firstRecordEpochMs, lastRecordEpochMs: meta.lastRecordEpochMs, writtenEpochMs: Date.now(),
    records: meta.records, rows: lines.length, mode: meta.mode, processStartEpochMs: meta.processStartEpochMs,
  };
  fs.writeFileSync(`${file}.meta.json`, `${JSON.stringify(m)}\n`);
}

const enum Sum { INTEGER, DOUBLE, LENGTH, TEXT_LENGTH }

/** Checksum mode: count, then per column an exact sum (integers, timestamps as epoch ms, strings by length, doubles as a double sum). */
export class Checksum {
  count = 0;
  private readonly sums: ExactSum[];
  private readonly doubles: number[];
  /** How each column adds up, decided once (a per-value type test cost the sluice runs a tenth of their time). */
  private readonly how: Sum[];

  constructor(private readonly columns: CaptureColumn[]) {
    this.sums = columns.map(() => new ExactSum());
    this.doubles = columns.map(() => 0);
    this.how = columns.map((c) => (INTEGER_TYPES.has(c.type) || TIMESTAMP_TYPES.has(c.type) ? Sum.INTEGER : c.type === 'DOUBLE' ? Sum.DOUBLE : STRING_TYPES.has(c.type) ? Sum.LENGTH : Sum.TEXT_LENGTH));
  }

  /** Adds one column's value (not null). */
  addValue(i: number, v: unknown): void {
    switch (this.how[i]) {
      case Sum.INTEGER: this.sums[i].add(v as number); break;
      case Sum.DOUBLE: this.doubles[i] += v as number; break;
      case Sum.LENGTH: this.sums[i].add((v as string).length); break;
      default: this.sums[i].add(String(v).length);
    }
  }

  /**
   * A function adding one row object's columns, generated for these columns: named property reads and no type
   * dispatch per value (what a generic loop over the columns cost the sluice runs was a tenth of their time).
   */
  rowAdder(): (row: Record<string, unknown>) => void {
    const body = this.columns.map((c, i) => {
      const add = { [Sum.INTEGER]: `sums[${i}].add(v)`, [Sum.DOUBLE]: `doubles[${i}] += v`, [Sum.LENGTH]: `sums[${i}].add(v.length)`, [Sum.TEXT_LENGTH]: `sums[${i}].add(String(v).length)` }[this.how[i]];
      return `v = row[${JSON.stringify(c.name)}]; if (v !== null && v !== undefined) ${add};`;
    });
    const add = new Function('sums', 'doubles', `return (row) => { let v; ${body.join(' ')} };`)(this.sums, this.doubles) as (row: Record<string, unknown>) => void;
    return (row) => { this.count++; add(row); };
  }

  /** For loops that keep their own sums: the exact sum of column i. */
  sum(i: number): ExactSum {
    return this.sums[i];
  }

  header(): string {
    return ['count', ...this.columns.map((c) => `sum_${c.name}`)].join(',');
  }

  line(): string {
    return [String(this.count), ...this.columns.map((c, i) => (c.type === 'DOUBLE' ? exactDecimal(this.doubles[i]) : this.sums[i].value().toString()))].join(',');
  }
}

const enum Kind { INSERT = 0, UPDATE_BEFORE = 1, UPDATE_AFTER = 2, DELETE = 3 }

/**
 * The upsert table: the last row per primary key, found through one level of Maps per key column keyed by the
 * values themselves (as sluice's group state), so no key string is built per changelog record.
 */
class UpsertTable {
  private readonly root = new Map<unknown, any>();
  private readonly last: number;

  constructor(private readonly primaryKey: string[]) {
    this.last = primaryKey.length - 1;
  }

  /** The Map holding the row of this key (created on the way when `create`), or undefined. */
  private level(row: Record<string, unknown>, create: boolean): Map<unknown, any> | undefined {
    let level = this.root;
    for (let i = 0; i < this.last; i++) {
      const v = row[this.primaryKey[i]] ?? null;
      let next = level.get(v);
      if (next === undefined) { if (!create) return undefined; level.set(v, (next = new Map())); }
      level = next;
    }
    return level;
  }

  private keyOf(row: Record<string, unknown>): unknown {
    return this.last < 0 ? 0 : row[this.primaryKey[this.last]] ?? null;
  }

  put(row: Record<string, unknown>): void {
    this.level(row, true)!.set(this.keyOf(row), row);
  }

  delete(row: Record<string, unknown>): void {
    this.level(row, false)?.delete(this.keyOf(row));
  }

  rows(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    const walk = (level: Map<unknown, any>, depth: number) => {
      for (const v of level.values()) { if (depth < this.last) walk(v, depth + 1); else out.push(v); }
    };
    walk(this.root, 0);
    return out;
  }
}

/**
 * The capture sink for changelog rows (objects keyed by column name): what the collect sink of a sluice job
 * hands over. push() takes one `{ kind, row }`, finish() writes the answer. As the peers' sink, it keeps values
 * and formats them only at the end.
 */
export class RowCapture {
  private first = -1;
  private last = -1;
  private records = 0;
  /** Called once stopAfter records have arrived. */
  onComplete: () => void = () => {};
  private readonly addToChecksum: (row: Record<string, unknown>) => void;
  private readonly checksum: Checksum;
  private readonly appended: Record<string, unknown>[] = [];
  private readonly table: UpsertTable;
  private readonly names: string[];

  constructor(private readonly spec: CaptureSpec) {
    this.checksum = new Checksum(spec.columns);
    this.names = spec.columns.map((c) => c.name);
    this.table = new UpsertTable(spec.primaryKey);
    this.addToChecksum = this.checksum.rowAdder();
  }

  /** One row of the changelog, as the collect sink hands it on (its CollectConsumer). */
  accept(row: Record<string, unknown>, kind: number): number {
    if (this.records++ === 0) this.first = Date.now();
    if (this.records === this.spec.stopAfter) { this.last = Date.now(); this.onComplete(); }
    switch (this.spec.mode) {
      case 'checksum':
        this.addToChecksum(row);
        break;
      case 'append':
        this.appended.push(row);
        break;
      case 'upsert':
        if (kind === Kind.INSERT || kind === Kind.UPDATE_AFTER) this.table.put(row);
        else if (kind === Kind.DELETE) this.table.delete(row);
        break; // UPDATE_BEFORE: an upsert sink does not need it
    }
    return this.records;
  }

  private line(row: Record<string, unknown>): string {
    return this.spec.columns.map((c) => formatCell(row[c.name], c.type)).join(',');
  }

  finish(processStartEpochMs?: number): void {
    // As the peers' sink: the last record time is taken when the answer is written (or at the stopAfter-th record).
    const meta = { mode: this.spec.mode, firstRecordEpochMs: this.first, lastRecordEpochMs: this.last >= 0 ? this.last : Date.now(), records: this.records, processStartEpochMs };
    if (this.spec.mode === 'checksum') writeAnswer(this.spec.path, this.checksum.header(), [this.checksum.line()], meta);
    else writeAnswer(this.spec.path, this.names.join(','), (this.spec.mode === 'append' ? this.appended : this.table.rows()).map((r) => this.line(r)), meta);
  }
}
