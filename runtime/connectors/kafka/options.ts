// The WITH options of the kafka and upsert-kafka connectors (Flink's names), the checks across options that a
// single zod schema cannot express, and the parsed form the source and sink read. Light on purpose: the
// compiler imports this through connector.ts, so nothing here loads kafkajs or the codecs.
import type { TableInfo } from '../../core/connector.js';
import { anyString, nonEmptyString, stringWhere, type OptionValue, durationString, intString, oneOf, parseDuration, type OptionProblem, type OptionSchema } from '../../core/options.js';
import { FORMAT_NAMES, formatName, formatOptionKeys, isChangelogFormat, isFormatOptionKey, unprefixed, validateFormatOptions } from '../../formats/format-options.js';
import { validateProperties } from './properties.js';

const STARTUP_MODES = ['earliest-offset', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'] as const;
export type StartupMode = (typeof STARTUP_MODES)[number];
/** scan.bounded.mode: where a bounded read stops (batch mode, reconcile); 'unbounded' reads on forever. */
const BOUNDED_MODES = ['unbounded', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'] as const;
export type BoundedMode = (typeof BOUNDED_MODES)[number];

/** What a source does when its position is no longer in the log: fail (default), or accept the loss and go on there. */
const OUT_OF_RANGE_POLICIES = ['fail', 'earliest', 'latest'] as const;
export type OutOfRangePolicy = (typeof OUT_OF_RANGE_POLICIES)[number];
export const readOutOfRangePolicy = (options: Record<string, string>): OutOfRangePolicy =>
  (options['scan.offset-out-of-range'] ?? 'fail') as OutOfRangePolicy;

const SPECIFIC_OFFSETS = /^\s*partition\s*:\s*(\d+)\s*,\s*offset\s*:\s*(\d+)\s*$/;

/** Flink's 'partition:0,offset:42;partition:1,offset:300' as partition → offset; null when malformed. */
export function parseSpecificOffsets(text: string): Map<number, number> | null {
  const out = new Map<number, number>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const m = SPECIFIC_OFFSETS.exec(part);
    if (!m) return null;
    out.set(Number(m[1]), Number(m[2]));
  }
  return out.size > 0 ? out : null;
}

/** Column lists such as key.fields 'a;b'. */
const splitFields = (text: string): string[] => text.split(';').map((f) => f.trim()).filter(Boolean);

const specificOffsets = () => stringWhere((s) => parseSpecificOffsets(s) !== null, "must look like 'partition:0,offset:42;partition:1,offset:300'");
const topics = () => stringWhere((s) => splitFields(s).length > 0, 'must name a topic');

/** Options both connectors share: the topic, the client, the value and key formats and the sink guarantees. */
const sharedKeys: Record<string, OptionValue> = {
  topic: topics(),
  'properties.bootstrap.servers': nonEmptyString(),
  'properties.group.id': nonEmptyString(),
  'value.format': formatName(),
  'key.format': formatName(),
  'key.fields-prefix': anyString(),
  'value.fields-include': oneOf('ALL', 'EXCEPT_KEY'),
  ...formatOptionKeys('value.'),
  ...formatOptionKeys('key.'),
  'scan.topic-partition-discovery.interval': durationString(),
  'scan.watermark.idle-timeout': durationString(),
  'scan.offset-out-of-range': oneOf(...OUT_OF_RANGE_POLICIES),
  'scan.dead-letter-queue.topic': nonEmptyString('must name a topic'),
  'scan.bounded.mode': oneOf(...BOUNDED_MODES),
  'scan.bounded.timestamp-millis': intString(0),
  'scan.bounded.specific-offsets': specificOffsets(),
  'sink.delivery-guarantee': oneOf('at-least-once', 'exactly-once', 'none'),
  'sink.transactional-id-prefix': nonEmptyString(),
};

export const kafkaOptions: OptionSchema = {
  keys: {
    ...sharedKeys,
    format: formatName(),
    ...formatOptionKeys(),
    'key.fields': stringWhere((s) => splitFields(s).length > 0, 'must name at least one column'),
    'scan.startup.mode': oneOf(...STARTUP_MODES),
    'scan.startup.timestamp-millis': intString(0),
    'scan.startup.specific-offsets': specificOffsets(),
    'sink.partitioner': oneOf('default', 'fixed', 'round-robin'),
  },
  required: ['topic', 'properties.bootstrap.servers'],
  prefixes: ['properties.'],
};

export const upsertKafkaOptions: OptionSchema = {
  keys: {
    ...sharedKeys,
    'sink.buffer-flush.max-rows': intString(0),
    'sink.buffer-flush.interval': durationString(),
  },
  required: ['topic', 'properties.bootstrap.servers'],
  prefixes: ['properties.'],
};

/** How rows map to Kafka records: which columns form the key, and the formats of key and value. */
export interface RecordLayout {
  upsert: boolean;
  valueFormat: string;
  /** Options of the value format, unprefixed ('json.ignore-parse-errors'). */
  valueOptions: Record<string, string>;
  keyFormat: string | null;
  keyOptions: Record<string, string>;
  /** Key columns as named in the table. */
  keyColumns: string[];
  /** key.fields-prefix: stripped from a key column's name to get its name inside the key format. */
  keyPrefix: string;
  /** Whether the value carries the key columns too (value.fields-include = ALL). */
  valueIncludesKey: boolean;
}

/** Reads the layout from options that passed validation (upsert-kafka's key is its primary key). */
export function readLayout(table: Pick<TableInfo, 'options' | 'primaryKey'>, upsert: boolean): RecordLayout {
  const o = table.options;
  // Value options: the unprefixed 'json.*' / 'csv.*' of `format`, overridden by 'value.json.*' of `value.format`.
  const valueOptions = { ...unprefixedFormatOptions(o), ...unprefixed(o, 'value.') };
  if (upsert) {
    return {
      upsert, valueFormat: o['value.format'] ?? 'json', valueOptions, keyFormat: o['key.format'] ?? 'json', keyOptions: unprefixed(o, 'key.'),
      keyColumns: [...table.primaryKey], keyPrefix: o['key.fields-prefix'] ?? '', valueIncludesKey: o['value.fields-include'] !== 'EXCEPT_KEY',
    };
  }
  const keyColumns = o['key.fields'] ? splitFields(o['key.fields']) : [];
  return {
    upsert, valueFormat: o['value.format'] ?? o.format ?? 'json', valueOptions, keyFormat: o['key.format'] ?? null, keyOptions: unprefixed(o, 'key.'),
    keyColumns, keyPrefix: o['key.fields-prefix'] ?? '', valueIncludesKey: o['value.fields-include'] !== 'EXCEPT_KEY',
  };
}

function unprefixedFormatOptions(options: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) if (isFormatOptionKey(k)) out[k] = v;
  return out;
}

/** What the source and sink read from a table's options besides the client's properties (properties.ts) and the startup (startup.ts), parsed once. */
export interface KafkaTableSettings {
  /** The topics a source reads; a sink writes the first (validation allows one). */
  topics: string[];
  layout: RecordLayout;
  outOfRange: OutOfRangePolicy;
  /** scan.dead-letter-queue.topic, or null. */
  deadLetterTopic: string | null;
  guarantee: 'at-least-once' | 'exactly-once' | 'none';
  /** sink.transactional-id-prefix, or null. */
  transactionalIdPrefix: string | null;
  partitioner: 'default' | 'fixed' | 'round-robin';
  /** upsert-kafka's sink.buffer-flush.*: rows reduced per key before sending (both 0: no buffer). */
  bufferMaxRows: number;
  bufferIntervalMs: number;
}

/** The options of a table that passed kafkaOptions or upsertKafkaOptions, with Flink's defaults. */
export function kafkaTableSettings(table: Pick<TableInfo, 'options' | 'primaryKey'>, upsert: boolean): KafkaTableSettings {
  const o = table.options;
  return {
    topics: readTopics(o),
    layout: readLayout(table, upsert),
    outOfRange: readOutOfRangePolicy(o),
    deadLetterTopic: o['scan.dead-letter-queue.topic'] ?? null,
    guarantee: (o['sink.delivery-guarantee'] ?? 'at-least-once') as KafkaTableSettings['guarantee'],
    transactionalIdPrefix: o['sink.transactional-id-prefix'] ?? null,
    partitioner: (o['sink.partitioner'] ?? 'default') as KafkaTableSettings['partitioner'],
    bufferMaxRows: Number(o['sink.buffer-flush.max-rows'] ?? 0),
    bufferIntervalMs: durationMillis(o['sink.buffer-flush.interval']),
  };
}

/** The topics a source reads ('a;b' as Flink's list). */
export const readTopics = (options: Record<string, string>): string[] => splitFields(options.topic ?? '');

/** Checks shared by both connectors: key columns, format options, delivery guarantee, properties. */
function validateCommon(table: TableInfo, layout: RecordLayout, role: 'source' | 'sink'): OptionProblem[] {
  const o = table.options;
  const problems: OptionProblem[] = [...validateProperties(o)];
  const columns = table.declared.map((f) => f.name);
  const keyOption = layout.upsert ? 'PRIMARY KEY' : 'key.fields';
  for (const k of layout.keyColumns) {
    if (!columns.includes(k)) problems.push({ option: keyOption, message: `${keyOption} names '${k}', which is not a column of the table`, hint: `columns: ${columns.join(', ')}` });
    else if (layout.keyPrefix && !k.startsWith(layout.keyPrefix)) problems.push({ option: 'key.fields-prefix', message: `key column '${k}' does not start with the key.fields-prefix '${layout.keyPrefix}'` });
  }
  if (layout.keyPrefix && layout.valueIncludesKey) {
    problems.push({ option: 'key.fields-prefix', message: `'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY'` });
  }
  if (!layout.valueIncludesKey && layout.keyColumns.length === 0) {
    problems.push({ option: 'value.fields-include', message: `'value.fields-include' = 'EXCEPT_KEY' needs key columns ('key.fields')` });
  }
  if (!layout.valueIncludesKey && layout.keyColumns.length === columns.length) {
    problems.push({ option: 'value.fields-include', message: `with 'value.fields-include' = 'EXCEPT_KEY' every column is in the key, so the value would be empty` });
  }
  problems.push(...validateFormatOptions(layout.valueFormat, o, '', role), ...validateFormatOptions(layout.valueFormat, o, 'value.', role));
  if (layout.keyFormat) problems.push(...validateFormatOptions(layout.keyFormat, o, 'key.', role));
  // A key is one row's identity, not a change: Flink takes only insert-only key formats.
  if (isChangelogFormat(layout.keyFormat ?? undefined)) {
    problems.push({ option: 'key.format', message: `'key.format' = '${layout.keyFormat}' is a changelog format; a key format writes rows`, hint: "use 'json' or 'csv' for the key" });
  }
  // upsert-kafka's records are the changes already (a value per key, a tombstone deletes), as Flink requires.
  if (layout.upsert && isChangelogFormat(layout.valueFormat)) {
    problems.push({ option: 'value.format', message: `upsert-kafka does not take the changelog format '${layout.valueFormat}' as value format: its records are upserts by key`, hint: `use 'connector' = 'kafka' with 'format' = '${layout.valueFormat}', or value.format 'json' or 'csv' here` });
  }
  if (role === 'sink') {
    if (readTopics(o).length > 1) problems.push({ option: 'topic', message: `a sink writes one topic, but 'topic' lists ${readTopics(o).length}` });
    if (o['sink.delivery-guarantee'] === 'exactly-once' && !o['sink.transactional-id-prefix']) {
      problems.push({ option: 'sink.transactional-id-prefix', message: `'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'`, hint: 'a prefix unique to this job, e.g. the job name' });
    }
  }
  return problems;
}

export function validateKafka(table: TableInfo, role: 'source' | 'sink'): OptionProblem[] {
  const o = table.options;
  const problems: OptionProblem[] = [];
  if (o.format && o['value.format']) problems.push({ option: 'value.format', message: `set either 'format' or 'value.format', not both` });
  if (!o.format && !o['value.format']) problems.push({ option: 'format', message: `missing required option 'format' (or 'value.format')`, hint: `allowed values: ${FORMAT_NAMES.join(', ')}` });
  if (o['key.format'] && !o['key.fields']) problems.push({ option: 'key.fields', message: `'key.format' needs 'key.fields' naming the key columns` });
  if (o['key.fields'] && !o['key.format']) problems.push({ option: 'key.format', message: `'key.fields' needs 'key.format'`, hint: 'allowed values: csv, json' });
  if (o.format && Object.keys(o).some((k) => k.startsWith('value.') && isFormatOptionKey(k.slice('value.'.length)))) {
    problems.push({ option: 'format', message: `'value.<format>.*' options go with 'value.format'; with 'format' write them without the 'value.' prefix` });
  }
  return [...problems, ...positionProblems(o, 'startup', role), ...positionProblems(o, 'bounded', role), ...validateCommon(table, readLayout(table, false), role)];
}

/** scan.startup.* and scan.bounded.* options go together: a mode, and the timestamp or offsets it needs. */
function positionProblems(o: Record<string, string>, scope: 'startup' | 'bounded', role: 'source' | 'sink'): OptionProblem[] {
  const key = (name: string) => `scan.${scope}.${name}`;
  const problems: OptionProblem[] = [];
  const mode = o[key('mode')];
  const needs = (m: string, option: string) => {
    if (mode === m && !o[key(option)]) problems.push({ option: key(option), message: `'${key('mode')}' = '${m}' needs '${key(option)}'` });
  };
  const onlyWith = (option: string, m: string) => {
    if (o[key(option)] && mode !== m) problems.push({ option: key(option), message: `'${key(option)}' is used only with '${key('mode')}' = '${m}'` });
  };
  needs('timestamp', 'timestamp-millis');
  needs('specific-offsets', 'specific-offsets');
  onlyWith('timestamp-millis', 'timestamp');
  onlyWith('specific-offsets', 'specific-offsets');
  if (role === 'source' && mode === 'group-offsets' && !o['properties.group.id']) problems.push({ option: 'properties.group.id', message: `'${key('mode')}' = 'group-offsets' needs 'properties.group.id'` });
  if (scope === 'bounded' && mode === 'specific-offsets' && o.topic && readTopics(o).length > 1) problems.push({ option: key('specific-offsets'), message: `'${key('specific-offsets')}' names partitions of one topic, but 'topic' lists ${readTopics(o).length}` });
  return problems;
}

export function validateUpsertKafka(table: TableInfo, role: 'source' | 'sink'): OptionProblem[] {
  if (table.primaryKey.length === 0) {
    return [{ option: 'PRIMARY KEY', message: `an upsert-kafka table needs a primary key: the record key is built from it`, hint: 'add PRIMARY KEY (<columns>) NOT ENFORCED to the CREATE TABLE' }];
  }
  const o = table.options;
  const problems = [...validateCommon(table, readLayout(table, true), role), ...positionProblems(o, 'bounded', role)];
  const buffersRows = Number(o['sink.buffer-flush.max-rows'] ?? 0) > 0;
  const buffersTime = durationMillis(o['sink.buffer-flush.interval']) > 0;
  if (buffersRows !== buffersTime) {
    problems.push({ option: 'sink.buffer-flush.interval', message: `'sink.buffer-flush.max-rows' and 'sink.buffer-flush.interval' must both be above zero to buffer, or neither` });
  }
  return problems;
}

/** A duration option in milliseconds; 0 when absent or malformed (validateOptions reports malformed ones). */
export function durationMillis(value: string | undefined): number {
  if (value === undefined) return 0;
  try {
    return parseDuration(value);
  } catch {
    return 0;
  }
}
