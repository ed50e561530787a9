// Option schemas of the formats (csv, json and the changelog formats debezium-json, canal-json), as Flink spells them, and the checks a connector runs on them.
// Kept free of the codecs so that connector definitions (imported by the compiler) stay light. A connector that
// carries a format merges formatOptionKeys(prefix) into its schema: '' for filesystem's `format`, 'value.' and
// 'key.' for Kafka's `value.format` / `key.format` (Flink prefixes the format's keys the same way).
import { anyString, stringWhere, type OptionValue, boolString, oneOf, type OptionProblem } from '../core/options.js';

export const FORMAT_NAMES = ['csv', 'json', 'debezium-json', 'canal-json'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/**
 * Formats whose records are changes (insert / update-before / update-after / delete), as Flink's
 * debezium-json and canal-json: a table reading one is an updating source, and a sink writing one takes updates.
 */
export const CHANGELOG_FORMATS: readonly string[] = ['debezium-json', 'canal-json'];
export const isChangelogFormat = (format: string | undefined): boolean => format !== undefined && CHANGELOG_FORMATS.includes(format);

/**
 * What a connector's table in this format produces and accepts (Connector.changelogWith): a changelog format
 * reads every kind of change (Flink's ChangelogMode.all()) and writes them all, needing no primary key.
 */
export const changelogOfFormat = (format: string | undefined) =>
  (isChangelogFormat(format) ? { produces: 'retract' as const, sinkAccepts: 'upsert' as const } : undefined);

/** The schema of a `format` option: one of the formats above. */
export const formatName = () => oneOf(...FORMAT_NAMES);

/**
 * Reads a single-character option; Java escapes are honoured because Flink unescapes them
 * ('\t' written in SQL is a backslash and a t, and means a tab).
 */
function unescapeChar(value: string): string {
  return value.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', '0': '\0' } as Record<string, string>)[e] ?? e;
  });
}

const singleChar = () => stringWhere((s) => unescapeChar(s).length === 1, 'must be a single character (Java escapes such as \\t allowed)');

const CSV_KEYS: Record<string, OptionValue> = {
  'csv.field-delimiter': singleChar(),
  'csv.quote-character': singleChar(),
  'csv.disable-quote-character': boolString(),
  'csv.escape-character': singleChar(),
  'csv.allow-comments': boolString(),
  'csv.ignore-parse-errors': boolString(),
  'csv.null-literal': anyString(),
};

const JSON_KEYS: Record<string, OptionValue> = {
  'json.ignore-parse-errors': boolString(),
  'json.fail-on-missing-field': boolString(),
  'json.timestamp-format.standard': oneOf('SQL', 'ISO-8601'),
  'json.encode.ignore-null-fields': boolString(),
};

const regex = () => stringWhere((s) => { try { new RegExp(s); return true; } catch { return false; } }, 'must be a regular expression');

const DEBEZIUM_KEYS: Record<string, OptionValue> = {
  'debezium-json.schema-include': boolString(),
  'debezium-json.ignore-parse-errors': boolString(),
  'debezium-json.timestamp-format.standard': oneOf('SQL', 'ISO-8601'),
};

const CANAL_KEYS: Record<string, OptionValue> = {
  'canal-json.ignore-parse-errors': boolString(),
  'canal-json.timestamp-format.standard': oneOf('SQL', 'ISO-8601'),
  'canal-json.database.include': regex(),
  'canal-json.table.include': regex(),
};

const KEYS_BY_FORMAT: Record<FormatName, Record<string, OptionValue>> = { csv: CSV_KEYS, json: JSON_KEYS, 'debezium-json': DEBEZIUM_KEYS, 'canal-json': CANAL_KEYS };

/** Whether an option key belongs to one of the formats ('json.ignore-parse-errors', 'canal-json.table.include'). */
export const isFormatOptionKey = (key: string): boolean => FORMAT_NAMES.some((f) => key.startsWith(f + '.'));

/** Every format's option keys, each prefixed (e.g. 'value.' gives 'value.csv.field-delimiter'). */
export function formatOptionKeys(prefix = ''): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const keys of Object.values(KEYS_BY_FORMAT)) {
    for (const [key, schema] of Object.entries(keys)) out[prefix + key] = schema;
  }
  return out;
}

/** The options under a prefix, with the prefix removed: what the codec factories read. */
export function unprefixed(options: Record<string, string>, prefix: string): Record<string, string> {
  if (prefix === '') return options;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  return out;
}

/**
 * Checks that the options given under `prefix` belong to the chosen format and agree with each other.
 * Single values were already checked against formatOptionKeys() by validateOptions; an unknown format is
 * reported there too (formatName()), so it is skipped here.
 */
export function validateFormatOptions(format: string | undefined, options: Record<string, string>, prefix = '', role: 'source' | 'sink' = 'source'): OptionProblem[] {
  if (format === undefined || !(FORMAT_NAMES as readonly string[]).includes(format)) return [];
  const problems: OptionProblem[] = [];
  const own = unprefixed(options, prefix);
  for (const other of FORMAT_NAMES) {
    if (other === format) continue;
    for (const key of Object.keys(KEYS_BY_FORMAT[other])) {
      if (key in own) {
        problems.push({ option: prefix + key, message: `option '${prefix + key}' belongs to format '${other}', but the format is '${format}'`, hint: `remove it or set '${prefix}format' = '${other}'` });
      }
    }
  }
  if (format === 'csv') {
    const s = csvSettings(own);
    if (s.quote !== null && s.quote === s.delimiter) {
      problems.push({ option: prefix + 'csv.quote-character', message: `the quote character and the field delimiter are both '${s.delimiter}'` });
    }
  } else if (format === 'debezium-json' && role === 'sink' && own['debezium-json.schema-include'] === 'true') {
    // As Flink: the writer has no Kafka Connect schema to put in the envelope.
    problems.push({ option: prefix + 'debezium-json.schema-include', message: `'${prefix}debezium-json.schema-include' = 'true' is for reading; a sink writes Debezium JSON without the schema envelope`, hint: 'remove it from the sink table' });
  } else if (format === 'json' && own['json.ignore-parse-errors'] === 'true' && own['json.fail-on-missing-field'] === 'true') {
    problems.push({ option: prefix + 'json.fail-on-missing-field', message: `'${prefix}json.fail-on-missing-field' and '${prefix}json.ignore-parse-errors' cannot both be true` });
  }
  return problems;
}

export interface CsvSettings {
  delimiter: string;
  /** null when quoting is disabled. */
  quote: string | null;
  escape: string | null;
  nullLiteral: string | null;
  allowComments: boolean;
  ignoreParseErrors: boolean;
}

/** Reads csv.* (unprefixed) with Flink's defaults. */
export function csvSettings(options: Record<string, string>): CsvSettings {
  const char = (key: string, fallback: string | null) => (options[key] === undefined ? fallback : unescapeChar(options[key]));
  return {
    delimiter: char('csv.field-delimiter', ',')!,
    quote: options['csv.disable-quote-character'] === 'true' ? null : char('csv.quote-character', '"'),
    escape: char('csv.escape-character', null),
    nullLiteral: options['csv.null-literal'] ?? null,
    allowComments: options['csv.allow-comments'] === 'true',
    ignoreParseErrors: options['csv.ignore-parse-errors'] === 'true',
  };
}

export interface JsonSettings {
  ignoreParseErrors: boolean;
  failOnMissingField: boolean;
  timestampStandard: 'SQL' | 'ISO-8601';
  ignoreNullFields: boolean;
}

/** Reads json.* (unprefixed) with Flink's defaults. */
export function jsonSettings(options: Record<string, string>): JsonSettings {
  return {
    ignoreParseErrors: options['json.ignore-parse-errors'] === 'true',
    failOnMissingField: options['json.fail-on-missing-field'] === 'true',
    timestampStandard: options['json.timestamp-format.standard'] === 'ISO-8601' ? 'ISO-8601' : 'SQL',
    ignoreNullFields: options['json.encode.ignore-null-fields'] === 'true',
  };
}

export interface DebeziumSettings {
  /** The messages carry Kafka Connect's envelope {"schema": ..., "payload": ...}. */
  schemaInclude: boolean;
  ignoreParseErrors: boolean;
  timestampStandard: 'SQL' | 'ISO-8601';
}

/** Reads debezium-json.* (unprefixed) with Flink's defaults. */
export function debeziumSettings(options: Record<string, string>): DebeziumSettings {
  return {
    schemaInclude: options['debezium-json.schema-include'] === 'true',
    ignoreParseErrors: options['debezium-json.ignore-parse-errors'] === 'true',
    timestampStandard: options['debezium-json.timestamp-format.standard'] === 'ISO-8601' ? 'ISO-8601' : 'SQL',
  };
}

export interface CanalSettings {
  ignoreParseErrors: boolean;
  timestampStandard: 'SQL' | 'ISO-8601';
  /** Only messages whose "database" / "table" match these (whole-string regular expressions); null: all. */
  database: RegExp | null;
  table: RegExp | null;
}

/** Reads canal-json.* (unprefixed) with Flink's defaults. */
export function canalSettings(options: Record<string, string>): CanalSettings {
  const whole = (key: string) => (options[key] === undefined ? null : new RegExp(`^(?:${options[key]})$`));
  return {
    ignoreParseErrors: options['canal-json.ignore-parse-errors'] === 'true',
    timestampStandard: options['canal-json.timestamp-format.standard'] === 'ISO-8601' ? 'ISO-8601' : 'SQL',
    database: whole('canal-json.database.include'),
    table: whole('canal-json.table.include'),
  };
}
