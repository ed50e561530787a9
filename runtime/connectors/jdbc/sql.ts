// SQL text for the jdbc sink in MySQL's dialect: identifiers quoted with backticks (a backtick inside a name
// doubled), multi-row INSERT, upsert by INSERT ... ON DUPLICATE KEY UPDATE, DELETE by key. Values never appear
// in the text: every statement has ? placeholders that the driver binds. Statement texts depend only on the
// row count, so they are built once per count and reused.
import type { DataType, Field } from '../../core/data-types.js';
import { formatDate, formatTime, formatTimestamp, jsonValue } from '../../core/values.js';
import { plainString } from '../../core/decimal.js';

export const quoteIdentifier = (name: string): string => '`' + name.replace(/`/g, '``') + '`';

/** Rows per statement: keeps a statement far below max_allowed_packet even with wide rows. */
export const ROWS_PER_STATEMENT = 500;

export class Statements {
  private readonly table: string;
  private readonly columnList: string;
  private readonly rowPlaceholders: string;
  /** One key column: `k` IN (...); several: (`a` = ? AND `b` = ?) OR ... */
  private readonly keyIn: string;
  private readonly keyCondition: string;
  private readonly updateClause: string;
  private readonly cache = new Map<string, string>();

  constructor(table: string, columns: readonly string[], key: readonly string[]) {
    this.table = quoteIdentifier(table);
    this.columnList = columns.map(quoteIdentifier).join(', ');
    this.rowPlaceholders = `(${columns.map(() => '?').join(', ')})`;
    this.keyCondition = key.length === 1 ? '' : `(${key.map((k) => `${quoteIdentifier(k)} = ?`).join(' AND ')})`;
    this.keyIn = key.length === 1 ? quoteIdentifier(key[0]) : '';
    // Key columns keep their values; when every column is a key, a no-op assignment keeps the syntax valid.
    const nonKey = columns.filter((c) => !key.includes(c));
    this.updateClause = (nonKey.length > 0 ? nonKey : key.slice(0, 1)).map((c) => `${quoteIdentifier(c)} = VALUES(${quoteIdentifier(c)})`).join(', ');
  }

  /** INSERT of `rows` rows. */
  insert(rows: number): string {
    return this.cached('i', rows, () => `INSERT INTO ${this.table} (${this.columnList}) VALUES ${this.repeat(this.rowPlaceholders, rows, ', ')}`);
  }

  /** Insert or, when the key exists, overwrite the other columns. */
  upsert(rows: number): string {
    return this.cached('u', rows, () => `${this.insert(rows)} ON DUPLICATE KEY UPDATE ${this.updateClause}`);
  }

  /** DELETE of `rows` keys; parameters are the key values, key by key. */
  delete(rows: number): string {
    return this.cached('d', rows, () => this.keyIn !== ''
      ? `DELETE FROM ${this.table} WHERE ${this.keyIn} IN (${this.repeat('?', rows, ', ')})`
      : `DELETE FROM ${this.table} WHERE ${this.repeat(this.keyCondition, rows, ' OR ')}`);
  }

  private repeat(s: string, n: number, separator: string): string {
    return new Array<string>(n).fill(s).join(separator);
  }

  private cached(kind: string, rows: number, build: () => string): string {
    const id = kind + rows;
    let sql = this.cache.get(id);
    if (sql === undefined) this.cache.set(id, (sql = build()));
    return sql;
  }
}

const pad3 = (n: number) => String(n).padStart(3, '0');

/** How a column's value is bound: MySQL's literal spellings for temporal types, JSON text for nested ones. */
export function sqlValueOf(type: DataType): (v: unknown) => unknown {
  switch (type.name) {
    // 'yyyy-MM-dd HH:mm:ss.SSS' in UTC; the session time zone is UTC too (client.ts).
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return (v) => (v == null ? null : formatTimestamp(v as number, 3));
    case 'DATE': return (v) => (v == null ? null : formatDate(v as number));
    case 'TIME': return (v) => (v == null ? null : `${formatTime(v as number)}.${pad3((v as number) % 1000)}`);
    case 'BYTES': return (v) => (v == null ? null : Buffer.from(v as Uint8Array));
    // A DECIMAL as its exact text ('12.30'), which MySQL reads into a DECIMAL column without a double between.
    case 'DECIMAL': { const scale = type.scale ?? 0; return (v) => (v == null ? null : plainString(v as bigint, scale)); }
    case 'ARRAY': case 'MAP': case 'ROW': return (v) => (v == null ? null : JSON.stringify(jsonValue(v, type)));
    default: return (v) => (v === undefined ? null : v);
  }
}

/** Row → bound values in column order. */
export function rowBinder(schema: readonly Field[]): (row: Record<string, unknown>) => unknown[] {
  const names = schema.map((f) => f.name);
  const convert = schema.map((f) => sqlValueOf(f.type));
  return (row) => {
    const out = new Array<unknown>(names.length);
    for (let c = 0; c < names.length; c++) out[c] = convert[c](row[names[c]]);
    return out;
  };
}
