// datagen's per-column options (fields.<column>.kind/min/max/length/var-len/start/end/max-past/null-rate)
// read into one spec per declared column, with Flink's defaults, and the problems the compiler reports:
// options naming no column, options that do not apply to the column's type or kind, missing sequence bounds.
import type { DataType, Field } from '../../core/data-types.js';
import { nearest, parseDuration, type OptionProblem } from '../../core/options.js';

export type GeneratorKind = 'random' | 'sequence';

/** How values of a type are generated; null when datagen cannot generate the type. */
export type TypeClass = 'integer' | 'float' | 'decimal' | 'string' | 'char' | 'boolean' | 'timestamp' | 'date';

export interface FieldSpec {
  name: string;
  type: DataType;
  typeClass: TypeClass;
  kind: GeneratorKind;
  /** random numbers: inclusive bounds. */
  min: number;
  max: number;
  /** random strings: length, or the longest length with var-len. */
  length: number;
  varLen: boolean;
  /** sequence: inclusive bounds. */
  start: number;
  end: number;
  /** random timestamps and dates: at most this far before now. */
  maxPastMs: number;
  nullRate: number;
}

const FIELD_SUFFIXES = ['kind', 'min', 'max', 'length', 'var-len', 'start', 'end', 'max-past', 'null-rate'] as const;
type Suffix = (typeof FIELD_SUFFIXES)[number];

/** fields.<column>.<suffix>; the column part may itself contain dots. */
const FIELD_KEY = new RegExp(`^fields\\.(.+)\\.(${FIELD_SUFFIXES.join('|')})$`);

const INTEGER_BOUNDS: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  // Flink's BIGINT range is Java's long; values outside ±2^53 cannot be carried exactly (docs/types.md).
  BIGINT: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Java's Float.MIN_VALUE / MAX_VALUE, Flink's defaults for a random FLOAT. */
const FLOAT_MIN = 1.401298464324817e-45;
const FLOAT_MAX = 3.4028234663852886e38;
const UNBOUNDED_VARCHAR = 2147483647;
const DEFAULT_STRING_LENGTH = 100;

function typeClass(t: DataType): TypeClass | null {
  switch (t.name) {
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': return 'integer';
    case 'FLOAT': case 'DOUBLE': return 'float';
    case 'DECIMAL': return 'decimal';
    case 'STRING': case 'VARCHAR': return 'string';
    case 'CHAR': return 'char';
    case 'BOOLEAN': return 'boolean';
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return 'timestamp';
    case 'DATE': return 'date';
    default: return null;
  }
}

/** Which options a column takes, by kind and type (as Flink's RandomGeneratorVisitor / SequenceGeneratorVisitor). */
function applicable(kind: GeneratorKind, cls: TypeClass): Suffix[] {
  if (kind === 'sequence') return ['kind', 'start', 'end'];
  switch (cls) {
    case 'integer': case 'float': case 'decimal': return ['kind', 'min', 'max', 'null-rate'];
    case 'string': return ['kind', 'length', 'var-len', 'null-rate'];
    case 'timestamp': case 'date': return ['kind', 'max-past', 'null-rate'];
    default: return ['kind', 'null-rate'];
  }
}

const SEQUENCE_CLASSES: TypeClass[] = ['integer', 'float', 'decimal', 'string', 'char'];

function defaultBounds(t: DataType, cls: TypeClass): [number, number] {
  if (cls === 'integer') return INTEGER_BOUNDS[t.name];
  if (cls === 'decimal') {
    const scale = t.scale ?? 0;
    return [0, 10 ** ((t.precision ?? 10) - scale) - 10 ** -scale];
  }
  return t.name === 'FLOAT' ? [FLOAT_MIN, FLOAT_MAX] : [Number.MIN_VALUE, Number.MAX_VALUE];
}

function defaultLength(t: DataType): number {
  if (t.name === 'CHAR') return t.precision ?? 1;
  if (t.name === 'VARCHAR' && t.precision !== undefined && t.precision < UNBOUNDED_VARCHAR) return t.precision;
  return DEFAULT_STRING_LENGTH;
}

/**
 * Reads the per-column options of every declared column. Values of single options were already checked
 * by the schema (numbers, durations); this checks what needs the columns.
 */
export function readFieldSpecs(declared: readonly Field[], options: Record<string, string>): { specs: FieldSpec[]; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const byColumn = new Map<string, Map<Suffix, string>>();
  const columns = declared.map((f) => f.name);
  for (const [key, value] of Object.entries(options)) {
    const m = FIELD_KEY.exec(key);
    if (!m) continue;
    if (!columns.includes(m[1])) {
      const near = nearest(m[1], columns);
      problems.push({ option: key, message: `option '${key}' names no column of the table`, hint: near ? `did you mean 'fields.${near}.${m[2]}'?` : `columns: ${columns.join(', ')}` });
      continue;
    }
    if (!byColumn.has(m[1])) byColumn.set(m[1], new Map());
    byColumn.get(m[1])!.set(m[2] as Suffix, value);
  }

  const specs: FieldSpec[] = [];
  for (const field of declared) {
    const given = byColumn.get(field.name) ?? new Map<Suffix, string>();
    const key = (s: Suffix) => `fields.${field.name}.${s}`;
    const cls = typeClass(field.type);
    const kind = (given.get('kind') ?? 'random') as GeneratorKind;
    if (cls === null) {
      problems.push({ option: 'connector', message: `datagen cannot generate column '${field.name}' of type ${field.type.name}`, hint: 'datagen generates numbers, strings, booleans, dates and timestamps' });
      continue;
    }
    if (kind === 'sequence' && !SEQUENCE_CLASSES.includes(cls)) {
      problems.push({ option: key('kind'), message: `a sequence cannot generate column '${field.name}' of type ${field.type.name}`, hint: `use 'random' for this column` });
      continue;
    }
    const allowed = applicable(kind, cls);
    for (const suffix of given.keys()) {
      if (!allowed.includes(suffix)) {
        problems.push({ option: key(suffix), message: `option '${key(suffix)}' does not apply to a ${kind} ${field.type.name} column`, hint: `options for this column: ${allowed.map(key).join(', ')}` });
      }
    }
    const num = (s: Suffix, fallback: number) => (given.has(s) ? Number(given.get(s)) : fallback);
    const [dMin, dMax] = cls === 'integer' || cls === 'float' || cls === 'decimal' ? defaultBounds(field.type, cls) : [0, 0];
    const spec: FieldSpec = {
      name: field.name,
      type: field.type,
      typeClass: cls,
      kind,
      min: num('min', dMin),
      max: num('max', dMax),
      length: num('length', defaultLength(field.type)),
      varLen: given.get('var-len') === 'true',
      start: num('start', 0),
      end: num('end', 0),
      maxPastMs: given.has('max-past') ? durationOrZero(given.get('max-past')!) : 0,
      nullRate: num('null-rate', 0),
    };
    if (kind === 'sequence') {
      const missing = (['start', 'end'] as const).filter((s) => !given.has(s));
      for (const s of missing) problems.push({ option: key(s), message: `missing option '${key(s)}': a sequence needs both start and end` });
      if (missing.length === 0) checkRange(spec.start, spec.end, key('start'), key('end'), cls === 'integer' ? INTEGER_BOUNDS[field.type.name] : null, problems);
    } else if (cls === 'integer' || cls === 'float' || cls === 'decimal') {
      if (cls === 'integer') {
        for (const s of ['min', 'max'] as const) {
          if (given.has(s) && Number.isFinite(spec[s]) && !Number.isInteger(spec[s])) problems.push({ option: key(s), message: `option '${key(s)}' must be an integer for a ${field.type.name} column` });
        }
      }
      checkRange(spec.min, spec.max, key('min'), key('max'), cls === 'integer' ? INTEGER_BOUNDS[field.type.name] : null, problems);
    }
    specs.push(spec);
  }
  return { specs, problems };
}

/** A malformed duration is reported by the option schema; here it only must not throw. */
function durationOrZero(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    return 0;
  }
}

function checkRange(low: number, high: number, lowKey: string, highKey: string, bounds: [number, number] | null, problems: OptionProblem[]): void {
  if (low > high) problems.push({ option: highKey, message: `'${highKey}' (${high}) is less than '${lowKey}' (${low})` });
  if (bounds) {
    for (const [k, v] of [[lowKey, low], [highKey, high]] as const) {
      if (v < bounds[0] || v > bounds[1]) problems.push({ option: k, message: `'${k}' (${v}) is outside the column's range [${bounds[0]}, ${bounds[1]}]` });
    }
  }
}

/** The number of rows the source produces at most: number-of-rows and every sequence bound it (Flink stops at the first exhausted sequence). */
export function rowLimit(specs: readonly FieldSpec[], numberOfRows: string | undefined): number {
  let limit = numberOfRows === undefined ? Infinity : Number(numberOfRows);
  for (const s of specs) if (s.kind === 'sequence') limit = Math.min(limit, s.end - s.start + 1);
  return Math.max(0, limit);
}
