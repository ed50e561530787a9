// The SQL/JSON helpers (runtime/core/sql-json.ts) against what Jackson and Java give for the same text, written out
// here: numbers as Java's Integer/Long/BigDecimal print them, objects with sorted keys, one value read and the rest
// ignored, strict paths (the default) failing where lax ones are empty. The functions' results against real Flink
// are in test/conformance (families 'json' and 'json-clauses').
import { describe, expect, it } from 'vitest';
import { jsonExists, jsonQuery, jsonValue, jsonize, JsonNumber, parseJson, parsePath } from '../../runtime/core/sql-json.js';

describe('JSON as Jackson reads and writes it', () => {
  it('numbers keep their Java text: integers, BigDecimal plain and scientific forms', () => {
    const cases: [string, string][] = [
      ['0', '0'], ['-0', '0'], ['12345678901234567890', '12345678901234567890'], ['1.50', '1.50'], ['1e3', '1E+3'],
      ['1.5E3', '1.5E+3'], ['1.5e-3', '0.0015'], ['1e-7', '1E-7'], ['-2.5e10', '-2.5E+10'], ['0.000001', '0.000001'], ['0.0000001', '1E-7'],
    ];
    expect(cases.map(([t]) => new JsonNumber(t).javaText())).toEqual(cases.map(([, java]) => java));
  });

  it('objects are written with sorted keys; one value is read, what follows ignored; no JSON throws', () => {
    expect(jsonize(parseJson('{"z":1,"a":[1.0,{"y":"\\u0001","b":null}],"m":true}'))).toBe('{"a":[1.0,{"b":null,"y":"\\u0001"}],"m":true,"z":1}');
    expect(jsonize(parseJson(' [1, 2] trailing'))).toBe('[1,2]');
    for (const bad of ['', 'not json', '{"a":}', '[1,]', '01', "{'a':1}", '"\u0001"']) expect(() => parseJson(bad), bad).toThrow(SyntaxError);
  });

  it('paths: strict without a mode, lax with one', () => {
    expect(parsePath('$.a[0]')).toEqual({ mode: 'strict', steps: [{ key: 'a' }, { index: 0 }] });
    expect(parsePath(" LAX $['b c']")).toEqual({ mode: 'lax', steps: [{ key: 'b c' }] });
    expect(parsePath('a.b')).toBeNull();
  });
});

describe('JSON_VALUE, JSON_QUERY and JSON_EXISTS behaviours', () => {
  const value = (text: string, path: string, returning = 'STRING', empty = 'NULL', error = 'NULL') =>
    jsonValue(text, path, returning, empty, empty === 'DEFAULT' ? 'E' : null, error, error === 'DEFAULT' ? 'X' : null, ['STRING', 'STRING']);

  it('JSON_VALUE: a missing item (or JSON null) is an error in strict mode and empty in lax mode; an object is empty in lax mode', () => {
    expect(value('{"a":1}', '$.b', 'STRING', 'DEFAULT', 'DEFAULT')).toBe('X');
    expect(value('{"a":1}', 'lax $.b', 'STRING', 'DEFAULT', 'DEFAULT')).toBe('E');
    expect(value('{"a":{"b":1}}', 'lax $.a', 'STRING', 'DEFAULT', 'DEFAULT')).toBe('E');
    expect(value('{"a":{"b":1}}', '$.a', 'STRING', 'DEFAULT', 'DEFAULT')).toBe('X');
    expect(value('{"a":null}', '$.a', 'STRING', 'DEFAULT', 'DEFAULT')).toBe('X');
    expect(value('{"a":null}', 'lax $.a', 'STRING', 'DEFAULT', 'DEFAULT')).toBe('E');
    expect(value('no json', 'lax $.a', 'STRING', 'DEFAULT', 'DEFAULT')).toBe('E');
    expect(value('no json', '$.a', 'STRING', 'DEFAULT', 'DEFAULT')).toBe('X');
    expect(() => value('{"a":1}', '$.b', 'STRING', 'NULL', 'ERROR')).toThrow(/JSON_VALUE/);
  });

  it('JSON_VALUE RETURNING casts as Flink\'s generated code does, and fails where its cast fails', () => {
    expect(value('{"a":7}', '$.a', 'INT')).toBe(7);
    expect(value('{"a":1.25}', '$.a', 'DOUBLE')).toBe(1.25);
    expect(value('{"a":true}', '$.a', 'BOOLEAN')).toBe(true);
    expect(value('{"a":1.50}', '$.a')).toBe('1.50');
    expect(() => value('{"a":"7"}', '$.a', 'INT')).toThrow(/RETURNING INT/);
    expect(() => value('{"a":7}', '$.a', 'DOUBLE')).toThrow(/RETURNING DOUBLE/);
    expect(() => value('{"a":3000000000}', '$.a', 'INT')).toThrow(/RETURNING INT/);
  });

  it('JSON_QUERY: wrappers, empty and error behaviours, RETURNING ARRAY', () => {
    expect(jsonQuery('{"a":[1,2]}', '$.a', 'STRING', 'UNCONDITIONAL', 'NULL', 'NULL')).toBe('[[1,2]]');
    expect(jsonQuery('{"a":[1,2]}', '$.a', 'STRING', 'CONDITIONAL', 'NULL', 'NULL')).toBe('[1,2]');
    expect(jsonQuery('{"a":1}', '$.a', 'STRING', 'CONDITIONAL', 'NULL', 'NULL')).toBe('[1]');
    expect(jsonQuery('{"a":1}', '$.a', 'STRING', 'WITHOUT', 'NULL', 'EMPTY OBJECT')).toBe('{}');
    expect(jsonQuery('{"a":1}', 'lax $.a', 'STRING', 'WITHOUT', 'EMPTY ARRAY', 'NULL')).toBe('[]');
    expect(jsonQuery('{"a":[1.0,"x",null,{"b":2}]}', '$.a', 'ARRAY', 'WITHOUT', 'NULL', 'NULL')).toEqual(['1.0', 'x', null, '{"b":2}']);
    expect(jsonQuery('{"a":{"b":2}}', '$.a', 'ARRAY', 'WITHOUT', 'NULL', 'EMPTY ARRAY')).toEqual([]);
  });

  it('JSON_EXISTS: JSON null is no value; an error gives the ON ERROR behaviour', () => {
    expect(jsonExists('{"a":null}', '$.a', 'FALSE')).toBe(false);
    expect(jsonExists('{"a":0}', '$.a', 'FALSE')).toBe(true);
    expect(jsonExists('{"a":0}', '$.b', 'TRUE')).toBe(true);
    expect(jsonExists('{"a":0}', 'lax $.b', 'TRUE')).toBe(false);
    expect(jsonExists('{"a":0}', '$.b', 'UNKNOWN')).toBeNull();
  });
});
