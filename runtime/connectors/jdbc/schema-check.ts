// Checks at open() that the MySQL table fits the sink, so that a wrong table fails the job at once with a
// message naming the column, instead of failing (or silently truncating) at the first flush: the table
// exists, every sink column exists with a compatible type, columns the sink does not write can be left out,
// and an upserting sink has a PRIMARY KEY or UNIQUE index on exactly its key (without one, ON DUPLICATE KEY
// UPDATE would never fire and every change would append a row).
import type { DataType, Field } from '../../core/data-types.js';
import { typeToString } from '../../core/data-types.js';
import { UserError } from '../../core/errors.js';
import { nearest } from '../../core/options.js';
import type { SqlConnection } from './client.js';
import { quoteIdentifier } from './sql.js';

interface ColumnInfo {
  name: string;
  dataType: string;
  columnType: string;
  nullable: boolean;
  hasDefault: boolean;
  generated: boolean;
  numericPrecision: number | null;
  numericScale: number | null;
  datetimePrecision: number | null;
}

const INTEGER_BYTES: Record<string, number> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, integer: 4, bigint: 8 };
const SINK_INTEGER_BYTES: Partial<Record<DataType['name'], number>> = { TINYINT: 1, SMALLINT: 2, INT: 4, BIGINT: 8 };
const TEXT = ['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'json'];
const BINARY = ['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob'];

/** The MySQL column types a sink type may be written to, as shown in messages, and the check itself. */
function compatibility(type: DataType): { expected: string; accepts(c: ColumnInfo): boolean } {
  const oneOf = (types: string[]) => ({ expected: types.join(', '), accepts: (c: ColumnInfo) => types.includes(c.dataType) });
  const width = SINK_INTEGER_BYTES[type.name];
  if (width !== undefined) {
    // A narrower integer column would reject or clip large values; decimal and double hold every value.
    const wide = Object.keys(INTEGER_BYTES).filter((t) => INTEGER_BYTES[t] >= width && t !== 'integer');
    return {
      expected: [...wide, 'decimal', 'double'].join(', '),
      accepts: (c) => (INTEGER_BYTES[c.dataType] ?? 0) >= width || c.dataType === 'decimal' || c.dataType === 'double',
    };
  }
  switch (type.name) {
    case 'BOOLEAN': return oneOf(['tinyint', 'bit', 'smallint', 'int', 'bigint']);
    case 'FLOAT': return oneOf(['float', 'double', 'decimal']);
    // float would halve the precision; decimal rounds to its scale, as a money column is meant to.
    case 'DOUBLE': return oneOf(['double', 'decimal']);
    case 'DECIMAL': {
      const p = type.precision ?? 10, s = type.scale ?? 0;
      return {
        expected: `decimal(${p},${s}) or wider, double`,
        accepts: (c) => c.dataType === 'double'
          || (c.dataType === 'decimal' && (c.numericScale ?? 0) >= s && (c.numericPrecision ?? 0) - (c.numericScale ?? 0) >= p - s),
      };
    }
    case 'STRING': case 'VARCHAR': case 'CHAR': return oneOf(TEXT);
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return oneOf(['datetime', 'timestamp']);
    case 'DATE': return oneOf(['date', 'datetime', 'timestamp']);
    case 'TIME': return oneOf(['time']);
    case 'BYTES': return oneOf(BINARY);
    case 'ARRAY': case 'MAP': case 'ROW': return oneOf(['json', 'longtext', 'mediumtext', 'text', 'varchar']);
    default: return { expected: 'nothing', accepts: () => false };
  }
}

async function readColumns(conn: SqlConnection, database: string, table: string): Promise<ColumnInfo[]> {
  const rows = await conn.query(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable,
            COLUMN_DEFAULT AS def, EXTRA AS extra, NUMERIC_PRECISION AS np, NUMERIC_SCALE AS ns, DATETIME_PRECISION AS dp
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [database, table]);
  // information_schema compares names case-insensitively; table names on Linux are case-sensitive.
  return rows.filter((r) => r.t === table).map((r) => {
    const extra = String(r.extra ?? '').toLowerCase();
    return {
      name: String(r.name),
      dataType: String(r.dataType).toLowerCase(),
      columnType: String(r.columnType).toLowerCase(),
      nullable: r.nullable === 'YES',
      hasDefault: r.def !== null || extra.includes('auto_increment'),
      generated: extra.includes('generated') || extra.includes('virtual') || extra.includes('persistent') || extra.includes('stored'),
      numericPrecision: r.np == null ? null : Number(r.np),
      numericScale: r.ns == null ? null : Number(r.ns),
      datetimePrecision: r.dp == null ? null : Number(r.dp),
    };
  });
}

async function readUniqueKeys(conn: SqlConnection, database: string, table: string): Promise<Map<string, string[]>> {
  const rows = await conn.query(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS idx, COLUMN_NAME AS col FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [database, table]);
  const keys = new Map<string, string[]>();
  for (const r of rows) {
    if (r.t !== table) continue;
    const idx = String(r.idx);
    keys.set(idx, [...(keys.get(idx) ?? []), String(r.col)]);
  }
  return keys;
}

const sameNames = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.some((y) => y.toLowerCase() === x.toLowerCase()));

/**
 * Throws a UserError naming the table, the column, the expected and the found type when the table does not fit;
 * returns warnings for what fits but may lose detail (millisecond timestamps into a column without fractions).
 */
export async function checkTable(conn: SqlConnection, sinkTable: string, database: string, table: string, schema: readonly Field[], key: readonly string[]): Promise<string[]> {
  const where = `MySQL table ${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
  const mismatch = (message: string, hint?: string) => new UserError(`table '${sinkTable}': ${message}`, hint);
  const columns = await readColumns(conn, database, table);
  if (columns.length === 0) {
    throw mismatch(`${where} does not exist`, `create it first (sluice does not create tables), or fix 'table-name' / the database in 'url'`);
  }
  // MySQL column names are case-insensitive.
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const warnings: string[] = [];
  for (const f of schema) {
    const c = byName.get(f.name.toLowerCase());
    if (c === undefined) {
      const near = nearest(f.name, columns.map((x) => x.name));
      throw mismatch(`${where} has no column '${f.name}'`, near ? `did you mean '${near}'? its columns: ${columns.map((x) => x.name).join(', ')}` : `its columns: ${columns.map((x) => x.name).join(', ')}`);
    }
    const compat = compatibility(f.type);
    if (!compat.accepts(c)) {
      throw mismatch(`column '${f.name}' of ${where} has type ${c.columnType}, but the sink writes ${typeToString(f.type)}: expected ${compat.expected}`,
        `change the column's type in MySQL or the column's type in the table's DDL`);
    }
    if (c.generated) throw mismatch(`column '${f.name}' of ${where} is a generated column and cannot be written`);
    if ((f.type.name === 'TIMESTAMP' || f.type.name === 'TIMESTAMP_LTZ') && (c.datetimePrecision ?? 0) < Math.min(3, f.type.precision ?? 3)) {
      warnings.push(`column '${f.name}' of ${where} is ${c.columnType}: milliseconds of ${typeToString(f.type)} values are cut off`);
    }
  }
  const written = new Set(schema.map((f) => f.name.toLowerCase()));
  for (const c of columns) {
    if (!written.has(c.name.toLowerCase()) && !c.nullable && !c.hasDefault && !c.generated) {
      throw mismatch(`column '${c.name}' of ${where} is NOT NULL without a default, and the sink does not write it`,
        `add the column to the table's DDL, or give it a default in MySQL`);
    }
  }
  if (key.length > 0) {
    const unique = await readUniqueKeys(conn, database, table);
    if (![...unique.values()].some((cols) => sameNames(cols, key))) {
      const found = [...unique.entries()].map(([n, cols]) => `${n} (${cols.join(', ')})`).join(', ');
      throw mismatch(`${where} has no PRIMARY KEY or UNIQUE index on (${key.join(', ')}), the sink's primary key, so upserts would append rows`,
        found ? `its unique keys: ${found}; declare the same columns as PRIMARY KEY in the DDL` : `add PRIMARY KEY (${key.join(', ')}) to the MySQL table`);
    }
  }
  return warnings;
}
