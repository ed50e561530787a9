// A batch run's windows kept as slices (runtime/state/window-slices.ts): tumbling, sliding and cumulating windows
// over disordered input give exactly the windows a brute-force enumeration here computes (every element, late
// ones included), with and without a snapshot taken and restored midway (into a sliced state and into the
// stream's state), and fire at a watermark as the stream's state fires (same rows, same late counts). Aggregates
// whose merge is not exact keep the stream's per-window state. End to end: batch window queries against the same
// brute force, through ORDER BY and LIMIT too.
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import type { AggCall, WindowSpec } from '../../runtime/core/plan.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { accumulateAll, aggKernel, mergesExactly } from '../../runtime/state/agg-kernel.js';
import { sliceable } from '../../runtime/state/window-slices.js';
import { WindowState } from '../../runtime/state/window-state.js';
import { sortRows, writeJsonLines } from '../helpers/tables.js';

const input: Field[] = [
  { name: 'k', type: DataTypes.STRING() }, { name: 'v', type: DataTypes.INT() }, { name: 'str', type: DataTypes.STRING() },
  { name: 'm', type: DataTypes.INT() }, { name: 'd', type: DataTypes.DOUBLE() }, { name: 't', type: DataTypes.TIMESTAMP(3) },
];
const EXACT: AggCall[] = [
  { name: 'c', fn: 'count', arg: null, distinct: false }, { name: 's', fn: 'sum', arg: 'v', distinct: false },
  { name: 'mn', fn: 'min', arg: 'str', distinct: false }, { name: 'mx', fn: 'max', arg: 'str', distinct: false },
  { name: 'a', fn: 'avg', arg: 'v', distinct: false }, { name: 'dm', fn: 'count', arg: 'm', distinct: true },
];
const PROPS = [{ name: 'ws', property: 'start' as const }, { name: 'we', property: 'end' as const }];

const spec = (type: WindowSpec['type'], sizeMs: number, slideMs = sizeMs): WindowSpec => ({ type, timeColumn: 't', time: 'event', sizeMs, slideMs, gapMs: 0 });
const SPECS: [string, WindowSpec][] = [
  ['tumble 10 s', spec('tumble', 10_000)], ['hop 15 s / 5 s', spec('slide', 15_000, 5_000)], ['hop 12 s / 3 s', spec('slide', 12_000, 3_000)],
  ['cumulate 12 s / 4 s', spec('cumulate', 12_000, 4_000)], ['cumulate 10 s / 4 s', spec('cumulate', 10_000, 4_000)],
];

interface Element { k: string; v: number | null; str: string | null; m: number | null; d: number; t: number }

/** Elements about 40 ms apart on 5 keys, a third of them up to 30 s behind (late for a stream's watermark); some NULLs. */
function elements(n: number, seed: number): Element[] {
  let x = seed;
  const rnd = (m: number) => { x = (x * 1103515245 + 12345) % 2147483648; return x % m; };
  return Array.from({ length: n }, (_, i) => ({
    k: `k${rnd(5)}`, v: rnd(9) === 0 ? null : rnd(2001) - 1000, str: rnd(7) === 0 ? null : `s${rnd(50)}`, m: rnd(11) === 0 ? null : rnd(5),
    d: rnd(1000) / 8, t: 1_700_000_000_000 + i * 40 - (rnd(3) === 0 ? rnd(30_000) : 0),
  }));
}

/** The windows [start, end) an element at t is in, from the windows' definitions. */
function windowsOf(s: WindowSpec, t: number): [number, number][] {
  const floor = (a: number, b: number) => Math.floor(a / b) * b;
  if (s.type === 'tumble') return [[floor(t, s.sizeMs), floor(t, s.sizeMs) + s.sizeMs]];
  const out: [number, number][] = [];
  if (s.type === 'slide') {
    for (let start = floor(t, s.slideMs); start + s.sizeMs > t; start -= s.slideMs) out.push([start, start + s.sizeMs]);
  } else {
    const start = floor(t, s.sizeMs);
    for (let end = start + s.slideMs; end <= start + s.sizeMs; end += s.slideMs) if (t < end) out.push([start, end]);
  }
  return out;
}

/** Every window's row per key, computed element by element. */
function expected(s: WindowSpec, els: readonly Element[]): Row[] {
  const groups = new Map<string, { ws: number; we: number; k: string; els: Element[] }>();
  for (const e of els) {
    for (const [ws, we] of windowsOf(s, e.t)) {
      const id = `${ws}|${we}|${e.k}`;
      if (!groups.has(id)) groups.set(id, { ws, we, k: e.k, els: [] });
      groups.get(id)!.els.push(e);
    }
  }
  return sortRows([...groups.values()].map(({ ws, we, k, els: g }) => {
    const vs = g.map((e) => e.v).filter((v): v is number => v !== null);
    const strs = g.map((e) => e.str).filter((v): v is string => v !== null).sort();
    const sum = vs.reduce((a, b) => a + b, 0);
    return {
      k, c: g.length, s: vs.length ? sum : null, mn: strs[0] ?? null, mx: strs.at(-1) ?? null,
      a: vs.length ? Math.trunc(sum / vs.length) : null, dm: new Set(g.map((e) => e.m).filter((m) => m !== null)).size, ws, we,
    };
  }));
}

const state = (s: WindowSpec, sliced: boolean, aggs = EXACT) =>
  new WindowState(s, aggKernel(aggs, input), ['k'], aggs.map((a) => a.name), PROPS, () => 0, 128, sliced);

/** What a window aggregate's ingest does (interpret-plan.ts): the element into each window assign() gives. */
function ingest(st: WindowState, els: readonly Element[], aggs = EXACT): void {
  for (const e of els) {
    const n = st.assign(e.t);
    for (let w = 0; w < n; w++) accumulateAll(aggs, st.get(w, e.k) ?? st.create(w, e.k, [e.k]), e as unknown as Row);
  }
}

const fireAll = (st: WindowState) => { const out: Row[] = []; st.fire(Infinity, out); return sortRows(out); };
const roundTrip = (st: WindowState) => JSON.parse(JSON.stringify(st.snapshot())) as unknown;

describe('window slices: a batch window state', () => {
  const els = elements(6000, 7);

  it.each(SPECS)('%s: every element counts, as the windows\' definitions say', (_, s) => {
    const st = state(s, true);
    expect(st.sliced).toBe(true);
    ingest(st, els);
    expect(fireAll(st)).toEqual(expected(s, els));
    // Nothing is late in a batch; an element in no window (a cumulating size not a multiple of its step) counts as the stream counts it.
    expect(st.late).toBe(els.filter((e) => windowsOf(s, e.t).length === 0).length);
  });

  it.each(SPECS)('%s: a snapshot taken midway restores into slices and into the stream\'s windows', (_, s) => {
    const st = state(s, true);
    ingest(st, els.slice(0, 2500));
    const snap = roundTrip(st);
    for (const sliced of [true, false]) {
      const back = state(s, sliced);
      back.restore(snap);
      expect(back.sliced).toBe(sliced);
      ingest(back, els.slice(2500));
      expect(fireAll(back)).toEqual(expected(s, els));
    }
  });

  it.each(SPECS)("%s: the stream's snapshot restores into a batch (kept whole where windows span several slices)", (_, s) => {
    const stream = state(s, false);
    ingest(stream, els.slice(0, 3000));
    const back = state(s, true);
    back.restore(roundTrip(stream));
    expect(back.sliced).toBe(s.type === 'tumble');
    ingest(back, els.slice(3000));
    expect(fireAll(back)).toEqual(expected(s, els));
  });

  it.each(SPECS)('%s: fired at a watermark, the same rows and late counts as the stream\'s state', (_, s) => {
    const sliced = state(s, true);
    const stream = state(s, false);
    const out = { sliced: [] as Row[], stream: [] as Row[] };
    let max = -Infinity;
    for (let i = 0; i < els.length; i += 100) {
      const batch = els.slice(i, i + 100);
      ingest(sliced, batch);
      ingest(stream, batch);
      for (const e of batch) max = Math.max(max, e.t);
      sliced.fire(max - 2000, out.sliced);
      stream.fire(max - 2000, out.stream);
    }
    sliced.fire(Infinity, out.sliced);
    stream.fire(Infinity, out.stream);
    expect(stream.late).toBeGreaterThan(0);
    expect(sliced.late).toBe(stream.late);
    expect(sortRows(out.sliced)).toEqual(sortRows(out.stream));
  });

  it('fire hands the rows over in chunks as it makes them', () => {
    const s = spec('slide', 2_000, 500);
    const st = state(s, true);
    const many = elements(40_000, 3);
    ingest(st, many);
    const chunks: Row[][] = [];
    const out: Row[] = [];
    const n = st.fire(Infinity, out, (rows) => chunks.push(rows));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length === 4096)).toBe(true);
    expect(n).toBe(chunks.length * 4096 + out.length);
    // The same windows and counts (the whole rows are compared in the tests above).
    const counts = (rows: Row[]) => new Map(rows.map((r) => [`${r.ws}|${r.we}|${r.k}`, r.c]));
    expect(counts([...chunks.flat(), ...out])).toEqual(counts(expected(s, many)));
  });

  it('slices only where merging accumulators is exact; a tumbling window merges nothing', () => {
    const sumDouble: AggCall[] = [{ name: 'sd', fn: 'sum', arg: 'd', distinct: false }];
    const listagg: AggCall[] = [{ name: 'l', fn: 'listagg', arg: 'str', distinct: false }];
    const minDouble: AggCall[] = [{ name: 'md', fn: 'min', arg: 'd', distinct: false }];
    expect(mergesExactly(EXACT, input)).toBe(true);
    for (const aggs of [sumDouble, listagg, minDouble]) {
      expect(mergesExactly(aggs, input)).toBe(false);
      expect(sliceable(spec('slide', 15_000, 5_000), aggs, input)).toBe(false);
      expect(sliceable(spec('tumble', 10_000), aggs, input)).toBe(true);
    }
    expect(sliceable({ ...spec('tumble', 10_000), time: 'processing' }, EXACT, input)).toBe(false);
    expect(sliceable({ type: 'session', timeColumn: 't', time: 'event', sizeMs: 0, slideMs: 0, gapMs: 5_000 }, EXACT, input)).toBe(false);
  });
});

describe('batch window queries end to end (generated and interpreted code)', () => {
  const els = elements(3000, 11);
  const file = writeJsonLines(els, ['t']);

  function env(mode: 'batch' | 'streaming'): TableEnvironment {
    const tEnv = TableEnvironment.create();
    tEnv.getConfig().set('execution.runtime-mode', mode);
    tEnv.executeSql(`CREATE TABLE ev (k STRING, v INT, str STRING, m INT, d DOUBLE, t TIMESTAMP(3), WATERMARK FOR t AS t - INTERVAL '1' SECOND)
      WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'json')`);
    return tEnv;
  }
  const select = `k, COUNT(*) AS c, SUM(v) AS s, MIN(str) AS mn, MAX(str) AS mx, AVG(v) AS a, COUNT(DISTINCT m) AS dm, window_start AS ws, window_end AS we`;
  const tvf: [string, string, WindowSpec][] = [
    ['TUMBLE', "TUMBLE(TABLE ev, DESCRIPTOR(t), INTERVAL '10' SECOND)", spec('tumble', 10_000)],
    ['HOP', "HOP(TABLE ev, DESCRIPTOR(t), INTERVAL '5' SECOND, INTERVAL '15' SECOND)", spec('slide', 15_000, 5_000)],
    ['CUMULATE', "CUMULATE(TABLE ev, DESCRIPTOR(t), INTERVAL '4' SECOND, INTERVAL '12' SECOND)", spec('cumulate', 12_000, 4_000)],
  ];
  const numbers = (r: Row): Row => ({ ...r, c: Number(r.c), dm: Number(r.dm) });

  it.each(tvf)('%s: final inserts, every record counted (the late ones a stream drops too)', async (_, fn, s) => {
    const query = `SELECT ${select} FROM TABLE(${fn}) GROUP BY window_start, window_end, k`;
    for (const unfused of [false, true]) {
      process.env.SLUICE_UNFUSED = unfused ? '1' : '0';
      const changelog = await env('batch').sqlQuery(query).execute().collectChangelog();
      expect(changelog.every((c) => c.kind === RowKind.INSERT)).toBe(true);
      expect(sortRows(changelog.map((c) => numbers(c.row)))).toEqual(expected(s, els));
    }
    delete process.env.SLUICE_UNFUSED;
  });

  it('a sliding SUM of doubles (not merged exactly) keeps whole windows: each window summed in input order', async () => {
    const rows = await env('batch').sqlQuery(`SELECT k, SUM(d) AS sd, window_start AS ws, window_end AS we
      FROM TABLE(HOP(TABLE ev, DESCRIPTOR(t), INTERVAL '5' SECOND, INTERVAL '15' SECOND)) GROUP BY window_start, window_end, k`).execute().collect();
    const sums = new Map<string, number>();
    for (const e of els) for (const [ws, we] of windowsOf(spec('slide', 15_000, 5_000), e.t)) sums.set(`${ws}|${we}|${e.k}`, (sums.get(`${ws}|${we}|${e.k}`) ?? 0) + e.d);
    expect(sortRows(rows)).toEqual(sortRows([...sums].map(([id, sd]) => { const [ws, we, k] = id.split('|'); return { k, sd, ws: Number(ws), we: Number(we) }; })));
  });

  it('ORDER BY and LIMIT over a sliding window aggregate', async () => {
    const rows = await env('batch').sqlQuery(`SELECT ws, k, c FROM (SELECT ${select} FROM TABLE(HOP(TABLE ev, DESCRIPTOR(t), INTERVAL '5' SECOND, INTERVAL '15' SECOND))
      GROUP BY window_start, window_end, k) ORDER BY c DESC, ws, k LIMIT 7`).execute().collect();
    const all = expected(spec('slide', 15_000, 5_000), els).map((r) => ({ ws: r.ws, k: r.k, c: r.c }));
    all.sort((x, y) => (y.c as number) - (x.c as number) || (x.ws as number) - (y.ws as number) || String(x.k).localeCompare(String(y.k)));
    expect(rows.map((r) => ({ ...r, c: Number(r.c) }))).toEqual(all.slice(0, 7));
  });

  it('in order and without late records, the stream ends at the same windows', async () => {
    const query = `SELECT ${select} FROM TABLE(HOP(TABLE ev, DESCRIPTOR(t), INTERVAL '5' SECOND, INTERVAL '15' SECOND)) GROUP BY window_start, window_end, k`;
    const ordered = [...els].sort((a, b) => a.t - b.t);
    const orderedFile = writeJsonLines(ordered, ['t']);
    const run = (mode: 'batch' | 'streaming') => {
      const tEnv = env(mode);
      tEnv.executeSql(`CREATE TABLE ev2 (k STRING, v INT, str STRING, m INT, d DOUBLE, t TIMESTAMP(3), WATERMARK FOR t AS t - INTERVAL '1' SECOND)
        WITH ('connector' = 'filesystem', 'path' = '${orderedFile}', 'format' = 'json')`);
      return tEnv.sqlQuery(query.replace('TABLE ev,', 'TABLE ev2,')).execute().collect();
    };
    const [batch, stream] = [await run('batch'), await run('streaming')];
    expect(sortRows(batch.map(numbers))).toEqual(expected(spec('slide', 15_000, 5_000), ordered));
    expect(sortRows(stream.map(numbers))).toEqual(sortRows(batch.map(numbers)));
  });
});
