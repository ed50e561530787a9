// The pre-aggregating end of local-global aggregation (runtime/exec/parallel/local-global.ts) keeps its local
// state over many source batches: its partials go out once PARTIAL_ROWS input rows are in, on flush() (the
// subtask's timer and barriers), and before a watermark or the end of input passes on; merged by their owner
// they give the counts and sums of a direct loop over the rows.
import { describe, expect, it } from 'vitest';
import type { Field } from '../../runtime/core/data-types.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { GroupAggregateNode } from '../../runtime/core/plan.js';
import type { Row, RowKind } from '../../runtime/core/row.js';
import { LocalAggregate, PARTIAL_ROWS, type GroupPartial } from '../../runtime/exec/parallel/local-global.js';
import type { Processor } from '../../runtime/exec/processors.js';
import { aggKernel } from '../../runtime/state/agg-kernel.js';
import { GroupState } from '../../runtime/state/group-state.js';

const BIGINT = { name: 'BIGINT', nullable: true } as const;
const input: Field[] = [{ name: 'k', type: BIGINT }, { name: 'v', type: BIGINT }];
const agg: GroupAggregateNode = {
  kind: 'groupAggregate', id: 'agg', input: 'x', keys: ['k'], changelog: 'upsert', upsertKey: ['k'],
  aggs: [{ fn: 'count', arg: null, distinct: false, name: 'c' }, { fn: 'sum', arg: 'v', distinct: false, name: 's' }],
  schema: [{ name: 'k', type: BIGINT }, { name: 'c', type: { name: 'BIGINT', nullable: false } }, { name: 's', type: BIGINT }],
};
const kernel = aggKernel(agg.aggs, input);
/** What generated ingest code does for COUNT(*), SUM(v) GROUP BY k. */
const ingest = (rows: Row[], _kinds: RowKind[] | null, st: GroupState) => {
  for (const r of rows) {
    const e = st.entry([r.k]);
    e.acc[0]++;
    e.acc[1] = e.acc[1] === null ? r.v : (e.acc[1] as number) + (r.v as number);
    st.touch(e);
  }
};

type Event = { t: 'data'; partials: GroupPartial[] } | { t: 'wm'; wm: number } | { t: 'end' };

function local(): { la: LocalAggregate; events: Event[] } {
  const la = new LocalAggregate(ingest as never, agg, kernel, input, new JobMetrics().operator('f', 'fused'));
  const events: Event[] = [];
  const sink: Processor = {
    process: (rows) => { events.push({ t: 'data', partials: rows as unknown as GroupPartial[] }); },
    watermark: (wm) => { events.push({ t: 'wm', wm }); },
    endInput: () => { events.push({ t: 'end' }); },
  };
  la.outputs.push(sink);
  return { la, events };
}

const batch = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ k: (from + i) % 1000, v: from + i }));

describe('local pre-aggregation', () => {
  it('holds its partials over source batches until PARTIAL_ROWS rows are in, then sends one per key', () => {
    const { la, events } = local();
    let next = 0;
    while (next + 1024 < PARTIAL_ROWS) { la.process(batch(next, 1024), null); next += 1024; }
    expect(events).toEqual([]);
    la.process(batch(next, 1024), null);
    next += 1024;
    expect(events).toHaveLength(1);
    const first = events[0] as { t: 'data'; partials: GroupPartial[] };
    expect(first.partials).toHaveLength(1000);
    // Its count over every key is the rows taken in so far.
    expect(first.partials.reduce((n, [, acc]) => n + (acc as number[])[0], 0)).toBe(next);
  });

  it('sends what it holds before a watermark and the end of input pass on, and on flush(); merged, the partials equal a direct count and sum', () => {
    const { la, events } = local();
    la.process(batch(0, 700), null);
    la.flush();
    la.flush(); // nothing new: no empty message
    la.process(batch(700, 1500), null);
    la.watermark(42);
    la.process(batch(2200, 300), null);
    la.endInput();
    expect(events.map((e) => e.t)).toEqual(['data', 'data', 'wm', 'data', 'end']);
    expect(events.map((e) => (e.t === 'data' ? e.partials.length : 0))).toEqual([700, 1000, 0, 300, 0]);

    const owner = new GroupState(kernel, agg.keys, [BIGINT], ['c', 's'], () => 0, 128);
    for (const e of events) if (e.t === 'data') for (const [keys, acc] of e.partials) owner.mergePartial(keys, acc);
    const rows: Row[] = [];
    owner.drainChanges(rows, []);
    const got = new Map(rows.map((r) => [r.k, [r.c, r.s]]));
    const want = new Map<unknown, number[]>();
    for (let i = 0; i < 2500; i++) {
      const w = want.get(i % 1000) ?? [0, 0];
      want.set(i % 1000, [w[0] + 1, w[1] + i]);
    }
    expect(got).toEqual(want);
  });
});
