// ARRAY, MAP and ROW columns end to end: declared in DDL, read from JSON (nested timestamps converted), accessed
// with subscripts, field access and the collection functions, written back as JSON, and kept through a state
// snapshot; results are checked against a computation in plain TypeScript over the generated records, fused
// and unfused. The built-ins' values against real Flink are in test/conformance (families collection, value).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { javaString } from '../../runtime/core/java-strings.js';
import { fromSnapshotValue, toSnapshotValue } from '../../runtime/state/snapshot-values.js';
import { collectBothWays, sortRows, tempDir } from '../helpers/tables.js';
import { compileError, schemaOf } from './helpers.js';

interface Rec { id: number; tags: (string | null)[] | null; attrs: Record<string, number | null>; loc: { city: string | null; zip: number; seen: string } | null }

/** Records with empty, NULL-holding and missing collections. */
function records(n: number): Rec[] {
  const out: Rec[] = [];
  for (let id = 0; id < n; id++) {
    const tags = id % 7 === 0 ? null : Array.from({ length: id % 4 }, (_, k) => (k === 2 && id % 3 === 0 ? null : `t${(id + k) % 5}`));
    const attrs: Record<string, number | null> = { a: id, ...(id % 2 ? { b: id % 5 === 0 ? null : -id } : {}) };
    const loc = id % 11 === 5 ? null : { city: id % 6 === 0 ? null : `c${id % 3}`, zip: 1000 + id, seen: `2026-01-0${1 + (id % 9)} 10:00:00.${String(id % 1000).padStart(3, '0')}` };
    out.push({ id, tags, attrs, loc });
  }
  return out;
}

const RECS = records(300);

function environment(): TableEnvironment {
  const file = path.join(tempDir(), 'in.json');
  fs.writeFileSync(file, RECS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const env = TableEnvironment.create();
  env.executeSql(`CREATE TABLE r (
      id INT, tags ARRAY<STRING>, attrs MAP<STRING, INT>, loc ROW<city STRING, zip INT, seen TIMESTAMP(3)>
    ) WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'json')`);
  return env;
}

describe('ARRAY, MAP and ROW columns', () => {
  it('DDL types, subscripts, field access and collection functions over JSON input', async () => {
    const sql = `SELECT id, tags[1] AS first, CARDINALITY(tags) AS n, attrs['b'] AS b, CARDINALITY(attrs) AS na, loc.city AS city,
        r.loc.zip AS zip, ARRAY_CONTAINS(tags, 't1') AS has1, ARRAY_JOIN(ARRAY_SORT(tags), '+', '?') AS joined,
        EXTRACT(DAY FROM loc.seen) AS dd, MAP_KEYS(attrs) AS keys
      FROM r WHERE id % 2 = 1 OR CARDINALITY(tags) > 1`;
    expect(schemaOf(environment().sqlQuery(sql))).toEqual([
      'id INT', 'first STRING', 'n INT', 'b INT', 'na INT', 'city STRING', 'zip INT', 'has1 BOOLEAN', 'joined STRING', 'dd BIGINT', 'keys ARRAY<STRING>',
    ]);
    const got = await collectBothWays(() => environment().sqlQuery(sql));
    const sortTags = (t: (string | null)[]) => [...t].sort((x, y) => (x === null ? -1 : y === null ? 1 : x < y ? -1 : x > y ? 1 : 0));
    const want = RECS.filter((r) => r.id % 2 === 1 || (r.tags?.length ?? 0) > 1).map((r) => ({
      id: r.id, first: r.tags?.[0] ?? null, n: r.tags?.length ?? null, b: r.attrs.b ?? null, na: Object.keys(r.attrs).length,
      city: r.loc?.city ?? null, zip: r.loc?.zip ?? null, has1: r.tags ? r.tags.includes('t1') : null,
      joined: r.tags ? sortTags(r.tags).map((t) => t ?? '?').join('+') : null,
      dd: r.loc ? Number(r.loc.seen.slice(8, 10)) : null, keys: Object.keys(r.attrs),
    }));
    expect(sortRows(got)).toEqual(sortRows(want));
  });

  it('constructors build values that are written back as JSON (nested timestamps in SQL spelling) and printed as Flink prints them', async () => {
    const out = tempDir();
    const env = environment();
    env.executeSql(`CREATE TABLE o (id INT, a ARRAY<INT>, m MAP<STRING, ARRAY<INT>>, w ROW<seen TIMESTAMP(3), city STRING>)
      WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json')`);
    await env.executeSql(`INSERT INTO o SELECT id, ARRAY[id, zip - 1000, CARDINALITY(tags)], MAP[loc.city, ARRAY[id]], CAST(ROW(loc.seen, loc.city) AS ROW<seen TIMESTAMP(3), city STRING>)
      FROM (SELECT id, tags, loc, loc.zip AS zip FROM r WHERE loc IS NOT NULL)`).await();
    const lines = fs.readdirSync(out).flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter((l) => l !== ''));
    const want = RECS.filter((r) => r.loc).map((r) => ({
      id: r.id, a: [r.id, r.id, r.tags?.length ?? null], m: { [String(r.loc!.city)]: [r.id] }, w: { seen: r.loc!.seen, city: r.loc!.city },
    }));
    expect(sortRows(lines.map((l) => JSON.parse(l)))).toEqual(sortRows(want));

    const [row] = await environment().sqlQuery("SELECT MAP[1, ARRAY[ROW('x', CAST(NULL AS INT))], 2, CAST(NULL AS ARRAY<ROW<a STRING, b INT>>)] AS m FROM r WHERE id = 1").execute().collect();
    const type = environment().sqlQuery("SELECT MAP[1, ARRAY[ROW('x', CAST(NULL AS INT))], 2, CAST(NULL AS ARRAY<ROW<a STRING, b INT>>)] AS m FROM r").getSchema()[0].type;
    expect(javaString(row.m, type)).toBe('{1=[+I[x, null]], 2=null}');
  });

  it('UNNEST: CROSS JOIN of array elements, LEFT JOIN ... ON TRUE keeps empty and NULL arrays, map entries, a condition, an aggregate above', async () => {
    const cross = await collectBothWays(() => environment().sqlQuery('SELECT id, tag FROM r CROSS JOIN UNNEST(tags) AS u(tag)'));
    expect(sortRows(cross)).toEqual(sortRows(RECS.flatMap((r) => (r.tags ?? []).map((tag) => ({ id: r.id, tag })))));
    const left = await collectBothWays(() => environment().sqlQuery('SELECT id, tag FROM r LEFT JOIN UNNEST(tags) AS u(tag) ON TRUE'));
    expect(sortRows(left)).toEqual(sortRows(RECS.flatMap((r) => (r.tags?.length ? r.tags.map((tag) => ({ id: r.id, tag })) : [{ id: r.id, tag: null }]))));
    const entries = await collectBothWays(() => environment().sqlQuery('SELECT r.id, k, v FROM r, UNNEST(attrs) AS e(k, v) WHERE v IS NOT NULL AND v < r.id'));
    expect(sortRows(entries)).toEqual(sortRows(RECS.flatMap((r) => Object.entries(r.attrs).filter(([, v]) => v !== null && v < r.id).map(([k, v]) => ({ id: r.id, k, v })))));
    const counts = await collectBothWays(() => environment().sqlQuery("SELECT tag, COUNT(*) AS c FROM r JOIN UNNEST(tags) AS u(tag) ON tag <> 't0' GROUP BY tag"));
    const want = new Map<string | null, number>();
    for (const r of RECS) for (const t of r.tags ?? []) if (t !== null && t !== 't0') want.set(t, (want.get(t) ?? 0) + 1);
    expect(sortRows(counts)).toEqual(sortRows([...want].map(([tag, c]) => ({ tag, c }))));
    expect(compileError(() => environment().sqlQuery('SELECT id FROM r CROSS JOIN UNNEST(id) AS u(x)')).message).toMatch(/UNNEST takes an ARRAY or a MAP, not INT/);
    expect(compileError(() => environment().sqlQuery('SELECT id FROM r LEFT JOIN UNNEST(tags) AS u(x) ON x = id')).message).toMatch(/other than ON TRUE/);
  });

  it('values held in state survive a snapshot: Maps with non-string and NULL keys, nested rows and arrays', () => {
    const value = { m: new Map<unknown, unknown>([[1, [{ a: 'x', b: null }]], [null, []]]), a: [[1, 2], null], r: { at: 5, tags: new Map([['k', 'v']]) } };
    const restored = fromSnapshotValue(JSON.parse(JSON.stringify(toSnapshotValue(value))));
    expect(restored).toEqual(value);
    expect((restored as typeof value).m.get(null)).toEqual([]);
  });

  it('errors name the construct and where it is', () => {
    const env = environment();
    expect(compileError(() => env.sqlQuery('SELECT id[1] FROM r')).message).toMatch(/subscript \[\.\.\.\] applies to an ARRAY or a MAP, not INT/);
    const e = compileError(() => env.sqlQuery('SELECT loc.town FROM r'));
    expect(e.message).toMatch(/no field 'town'/);
    expect(e.hint).toMatch(/city, zip, seen/);
    expect(compileError(() => env.sqlQuery("SELECT ARRAY[id, 'x'] FROM r")).message).toMatch(/ARRAY/);
    expect(compileError(() => env.sqlQuery("SELECT MAP['k'] FROM r")).message).toMatch(/pairs/);
    expect(compileError(() => env.sqlQuery("SELECT attrs[1] FROM r")).message).toMatch(/not the element type STRING/);
  });
});
