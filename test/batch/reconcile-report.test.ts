// The reconcile report's output (no stack needed): `--json` has SPEC §11's shape (test/helpers/reconcile-json.ts,
// written from the SPEC's text) also when examples hold DECIMAL and ARRAY values, the text report is a table with
// the verdict, and the progress lines of a replay: rewritten on a terminal, periodic in a log, the last always.
import { describe, expect, it } from 'vitest';
import { DataTypes } from '../../runtime/core/data-types.js';
import { progressLines } from '../../runtime/cli/reconcile-command.js';
import { compareTable } from '../../runtime/reconcile/compare.js';
import { reportableDifference, type ReconcileReport } from '../../runtime/reconcile/reconcile.js';
import { reportJson, reportText } from '../../runtime/reconcile/report.js';
import { parseReconcileJson } from '../helpers/reconcile-json.js';

const columns = [
  { name: 'k', type: DataTypes.STRING() },
  { name: 'price', type: DataTypes.DECIMAL(10, 2) },
  { name: 'tags', type: DataTypes.ARRAY(DataTypes.STRING()) },
];

function report(): ReconcileReport {
  // 12.30 and 12.31 as DECIMAL(10, 2) values are the unscaled bigints 1230n and 1231n.
  const result = compareTable({
    columns, key: ['k'], atLeastOnce: false, lateKeys: new Set(), unclosedKeys: new Set(), tailKeys: new Set(), tolerance: 1e-9,
    expected: [{ k: 'a', price: 1230n, tags: ['x'] }, { k: 'b', price: 100n, tags: [] }],
    found: [{ k: 'a', price: 1231n, tags: ['x'] }, { k: 'b', price: 100n, tags: [] }],
  });
  return {
    ok: false, job: 'Prices', notes: ['a note'],
    checkpoint: { kind: 'checkpoint', id: 7, path: '/tmp/x/chk-7', timestamp: Date.UTC(2026, 11, 3) },
    input: [{ table: 'src', range: 'topic t partition 0 offsets 0..1', records: 2 }],
    tables: [
      {
        table: 'prices', connector: 'jdbc', matched: result.matched, missing: result.missing, extra: result.extra, changed: result.changed,
        explained: 0, explanations: {}, key: ['k'], examples: result.differences.map((d) => reportableDifference(d, columns)),
      },
      { table: 'console', connector: 'print', matched: 0, missing: 0, extra: 0, changed: 0, explained: 0, explanations: {}, key: null, examples: [], notReconciled: "connector 'print' writes nowhere it can be read back from" },
    ],
  };
}

describe('reconcile report', () => {
  it('--json has SPEC §11 shape, DECIMAL values as their exact digits', () => {
    const json = parseReconcileJson(reportJson(report()));
    expect(json.ok).toBe(false);
    expect(json.tables.map((t) => [t.table, t.matched, t.missing, t.extra, t.changed, t.explained])).toEqual([['prices', 1, 0, 0, 1, 0], ['console', 0, 0, 0, 0, 0]]);
    expect(json.tables[0].examples).toEqual([{ kind: 'changed', key: { k: 'a' }, expected: { k: 'a', price: '12.30', tags: ['x'] }, found: { k: 'a', price: '12.31', tags: ['x'] } }]);
  });

  it('the text report: a table per sink, the examples and the verdict', () => {
    const text = reportText(report());
    expect(text).toContain('Reconciled \'Prices\' against checkpoint 7 (/tmp/x/chk-7, taken 2026-12-03T00:00:00.000Z)');
    expect(text).toMatch(/^table +matched +missing +extra +changed +explained\nprices +1 +0 +0 +1 +0\nconsole +- +- +- +- +-$/m);
    expect(text).toContain('prices: changed {k: "a"}: expected {k: "a", price: "12.30", tags: ["x"]}, found {k: "a", price: "12.31", tags: ["x"]}');
    expect(text).toMatch(/NOT OK: 1 row\(s\) differ without an explanation\.\n$/);
  });

  it('progress in a log: the first update, then one per interval, and every pass\'s last (once)', () => {
    let t = 0;
    const written: string[] = [];
    const say = progressLines({ isTTY: false, write: (s: string) => written.push(s) }, 5000, () => t);
    const updates = [[1000, 'a', false], [2000, 'b', false], [5999, 'c', false], [6000, 'd', false], [6500, 'e', true], [7000, 'f', false], [11_500, 'g', false], [11_600, 'g', true]] as const;
    for (const [at, line, done] of updates) {
      t = at;
      say(line, done);
    }
    // The last 'g' ends a pass with what the line before said already: not written twice.
    expect(written).toEqual(['a\n', 'd\n', 'e\n', 'g\n']);
  });

  it('progress on a terminal: one line, rewritten at every update', () => {
    const written: string[] = [];
    const say = progressLines({ isTTY: true, write: (s: string) => written.push(s) }, 5000, () => 0);
    say('a', false);
    say('b', true);
    expect(written).toEqual(['\r\x1b[Ka', '\r\x1b[Kb']);
  });
});
