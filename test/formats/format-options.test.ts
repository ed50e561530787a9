// Format option keys under prefixes, and the checks connectors run on them.
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../../runtime/core/options.js';
import { filesystemOptions } from '../../runtime/connectors/filesystem/options.js';
import { formatOptionKeys, unprefixed, validateFormatOptions } from '../../runtime/formats/index.js';

describe('format options', () => {
  it('lists every format key under a prefix', () => {
    const keys = Object.keys(formatOptionKeys('value.'));
    expect(keys).toContain('value.csv.field-delimiter');
    expect(keys).toContain('value.json.fail-on-missing-field');
    expect(keys.every((k) => k.startsWith('value.'))).toBe(true);
    expect(unprefixed({ 'value.csv.field-delimiter': '|', topic: 't' }, 'value.')).toEqual({ 'csv.field-delimiter': '|' });
  });

  it('reports options of another format and contradictory settings', () => {
    expect(validateFormatOptions('csv', { format: 'csv', 'json.ignore-parse-errors': 'true' })).toEqual([
      expect.objectContaining({ option: 'json.ignore-parse-errors', message: "option 'json.ignore-parse-errors' belongs to format 'json', but the format is 'csv'" }),
    ]);
    expect(validateFormatOptions('json', { 'value.json.ignore-parse-errors': 'true', 'value.json.fail-on-missing-field': 'true' }, 'value.')).toHaveLength(1);
    expect(validateFormatOptions('csv', { 'csv.quote-character': ',' })[0].option).toBe('csv.quote-character');
    expect(validateFormatOptions('csv', { 'csv.field-delimiter': '|', 'csv.null-literal': '' })).toEqual([]);
  });

  it('validates single values and unknown keys through the connector schema', () => {
    const problems = validateOptions(filesystemOptions, { connector: 'filesystem', path: '/x', format: 'xml', 'csv.field-delimiter': 'ab', 'csv.ignore-parse-error': 'true' });
    expect(problems.map((p) => p.option).sort()).toEqual(['csv.field-delimiter', 'csv.ignore-parse-error', 'format']);
    expect(problems.find((p) => p.option === 'format')!.hint).toBe('allowed values: csv, json, debezium-json, canal-json');
    expect(problems.find((p) => p.option === 'csv.ignore-parse-error')!.hint).toBe("did you mean 'csv.ignore-parse-errors'?");
    expect(validateOptions(filesystemOptions, { path: '/x', format: 'csv', 'csv.field-delimiter': '\\t' })).toEqual([]);
  });
});
