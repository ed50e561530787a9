// SQL data types as plain data, shared by the compiler (type checking) and the runtime (decoding, formatting).
// Values in rows: BOOLEAN→boolean, integer types and FLOAT/DOUBLE→number, BIGINT→number when it is a safe
// integer (outside ±2^53 a record is rejected naming the column, see docs/types.md), DECIMAL→bigint (the
// unscaled value at the type's scale, core/decimal.ts), STRING/VARCHAR/CHAR→string, DATE/TIMESTAMP/TIMESTAMP_LTZ→epoch milliseconds (number,
// UTC), TIME→milliseconds of the day, BYTES→Uint8Array, ARRAY→array, MAP→object, ROW→object. null is SQL NULL.

export type TypeName =
  | 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'FLOAT' | 'DOUBLE' | 'DECIMAL'
  | 'STRING' | 'VARCHAR' | 'CHAR' | 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ' | 'BYTES'
  | 'ARRAY' | 'MAP' | 'ROW' | 'INTERVAL' | 'NULL';

export interface DataType {
  readonly name: TypeName;
  readonly nullable: boolean;
  /** VARCHAR/CHAR length, DECIMAL precision, TIMESTAMP precision. */
  readonly precision?: number;
  readonly scale?: number;
  readonly element?: DataType;
  readonly key?: DataType;
  readonly value?: DataType;
  readonly fields?: readonly { name: string; type: DataType }[];
  /** Set on the event-time (rowtime) or processing-time attribute of a table. */
  readonly timeAttribute?: 'rowtime' | 'proctime';
  notNull?(): DataType;
}

function make(name: TypeName, extra: Partial<DataType> = {}): DataType {
  const t: DataType = { name, nullable: true, ...extra };
  return withNotNull(t);
}

function withNotNull(t: DataType): DataType {
  Object.defineProperty(t, 'notNull', {
    value: () => withNotNull({ ...stripMethods(t), nullable: false }),
    enumerable: false,
  });
  return t;
}

function stripMethods(t: DataType): DataType {
  const { notNull: _ignored, ...rest } = t;
  return rest;
}

/** Flink's DataTypes factory. */
export const DataTypes = {
  BOOLEAN: () => make('BOOLEAN'),
  TINYINT: () => make('TINYINT'),
  SMALLINT: () => make('SMALLINT'),
  INT: () => make('INT'),
  BIGINT: () => make('BIGINT'),
  FLOAT: () => make('FLOAT'),
  DOUBLE: () => make('DOUBLE'),
  DECIMAL: (precision = 10, scale = 0) => make('DECIMAL', { precision, scale }),
  STRING: () => make('STRING'),
  VARCHAR: (length = 2147483647) => make('VARCHAR', { precision: length }),
  CHAR: (length = 1) => make('CHAR', { precision: length }),
  DATE: () => make('DATE'),
  TIME: (precision = 0) => make('TIME', { precision }),
  TIMESTAMP: (precision = 6) => make('TIMESTAMP', { precision }),
  TIMESTAMP_LTZ: (precision = 6) => make('TIMESTAMP_LTZ', { precision }),
  BYTES: () => make('BYTES'),
  ARRAY: (element: DataType) => make('ARRAY', { element }),
  MAP: (key: DataType, value: DataType) => make('MAP', { key, value }),
  ROW: (...fields: { name: string; type: DataType }[]) => make('ROW', { fields }),
  FIELD: (name: string, type: DataType) => ({ name, type }),
  INTERVAL: () => make('INTERVAL'),
  NULL: () => make('NULL'),
};

export const isNumeric = (t: DataType) =>
  ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL'].includes(t.name);
export const isInteger = (t: DataType) => ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(t.name);
export const isString = (t: DataType) => ['STRING', 'VARCHAR', 'CHAR'].includes(t.name);
export const isTemporal = (t: DataType) => ['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ'].includes(t.name);
export const isTimestamp = (t: DataType) => t.name === 'TIMESTAMP' || t.name === 'TIMESTAMP_LTZ';

/** Flink's SQL spelling of a type, as explain and error messages print it. */
export function typeToString(t: DataType): string {
  let s: string;
  switch (t.name) {
    case 'DECIMAL': s = `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`; break;
    case 'VARCHAR': s = t.precision === undefined || t.precision >= 2147483647 ? 'STRING' : `VARCHAR(${t.precision})`; break;
    case 'CHAR': s = `CHAR(${t.precision ?? 1})`; break;
    case 'TIMESTAMP': s = `TIMESTAMP(${t.precision ?? 6})`; break;
    case 'TIMESTAMP_LTZ': s = `TIMESTAMP_LTZ(${t.precision ?? 6})`; break;
    case 'TIME': s = `TIME(${t.precision ?? 0})`; break;
    case 'ARRAY': s = `ARRAY<${typeToString(t.element!)}>`; break;
    case 'MAP': s = `MAP<${typeToString(t.key!)}, ${typeToString(t.value!)}>`; break;
    case 'ROW': s = `ROW<${(t.fields ?? []).map((f) => `${f.name} ${typeToString(f.type)}`).join(', ')}>`; break;
    default: s = t.name;
  }
  if (t.timeAttribute === 'rowtime') s += ' *ROWTIME*';
  if (t.timeAttribute === 'proctime') s += ' *PROCTIME*';
  return t.nullable ? s : `${s} NOT NULL`;
}

/** Copies a type with other attributes, keeping notNull() available. */
export function withType(t: DataType, change: Partial<DataType>): DataType {
  return withNotNull({ ...stripMethods(t), ...change });
}

/** Plain JSON form for bundles: types travel without methods. */
export function plainType(t: DataType): DataType {
  const out: Record<string, unknown> = { ...stripMethods(t) };
  if (t.element) out.element = plainType(t.element);
  if (t.key) out.key = plainType(t.key);
  if (t.value) out.value = plainType(t.value);
  if (t.fields) out.fields = t.fields.map((f) => ({ name: f.name, type: plainType(f.type) }));
  return out as unknown as DataType;
}

export interface Field { readonly name: string; readonly type: DataType }
export type Schema = readonly Field[];
