// The WITH options of the datagen connector (Flink's names, plus our 'seed'), the checks across options (the
// fields.<column>.* specs against the columns) and the settings the source reads, parsed once. Light: the
// compiler loads it through connector.ts; the source imports it too.
import type { TableInfo } from '../../core/connector.js';
import { UserError } from '../../core/errors.js';
import { stringChecked, stringWhere, type OptionValue, boolString, durationString, intString, oneOf, type OptionProblem, type OptionSchema } from '../../core/options.js';
import { readFieldSpecs, rowLimit, type FieldSpec } from './field-specs.js';

const isNumber = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));
const numberString = () => stringWhere(isNumber, 'must be a number');
const rateString = () => stringChecked((s) => !isNumber(s) ? 'must be a number' : Number(s) < 0 || Number(s) > 1 ? 'must be between 0 and 1' : null);

const fieldOption = (suffix: string, schema: OptionValue) => ({
  regex: new RegExp(`^fields\\..+\\.${suffix}$`),
  schema,
  example: `fields.<column>.${suffix}`,
});

export const datagenOptions: OptionSchema = {
  keys: {
    'rows-per-second': intString(1),
    'number-of-rows': intString(0),
    seed: intString(),
  },
  patterns: [
    fieldOption('kind', oneOf('random', 'sequence')),
    fieldOption('min', numberString()),
    fieldOption('max', numberString()),
    fieldOption('length', intString(1)),
    fieldOption('var-len', boolString()),
    fieldOption('start', intString()),
    fieldOption('end', intString()),
    fieldOption('max-past', durationString()),
    fieldOption('null-rate', rateString()),
  ],
};

const DEFAULT_ROWS_PER_SECOND = 10000;

export interface DatagenSettings {
  /** The whole table's rate (subtasks take their share). */
  rowsPerSecond: number;
  /** How many rows the table has: number-of-rows and every declared sequence bound it (Infinity: unbounded). */
  rows: number;
  /** 'seed', or null for a random one. */
  seed: number | null;
  /** Every declared column's generator spec. */
  fields: FieldSpec[];
}

/** The options of a table that passed datagenOptions, with Flink's defaults; a bad field spec is a UserError. */
export function datagenSettings(table: Pick<TableInfo, 'table' | 'declared' | 'options'>): DatagenSettings {
  const o = table.options;
  const { specs, problems } = readFieldSpecs(table.declared, o);
  if (problems.length > 0) throw new UserError(`table '${table.table}': ${problems[0].message}`, problems[0].hint);
  return {
    rowsPerSecond: Number(o['rows-per-second'] ?? DEFAULT_ROWS_PER_SECOND),
    // Every declared sequence bounds the source, read or not: the table has that many rows.
    rows: rowLimit(specs, o['number-of-rows']),
    seed: o.seed !== undefined ? Number(o.seed) >>> 0 : null,
    fields: specs,
  };
}

export const validateDatagen = (table: TableInfo): OptionProblem[] => readFieldSpecs(table.declared, table.options).problems;
