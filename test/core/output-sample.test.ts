// The output sample a sink keeps for the dashboard: bounded, the rows written since the last take (newest
// last), in print's changelog text, without copying the rows it holds.
import { describe, expect, it } from 'vitest';
import { OutputSample } from '../../runtime/core/output-sample.js';
import { RowKind, type Row } from '../../runtime/core/row.js';

const fields = [{ name: 'id', type: { name: 'BIGINT' } }, { name: 's', type: { name: 'STRING' } }] as const;
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i, s: `r${from + i}` }));
const text = (from: number, n: number) => Array.from({ length: n }, (_, i) => `+I[${from + i}, r${from + i}]`);

describe('OutputSample', () => {
  it('takes the rows written since the last take, the newest `capacity` of them, across batches', () => {
    const s = new OutputSample(fields as never, 5);
    expect(s.take()).toEqual([]);
    s.add({ rows: rows(1, 3), kinds: null });
    s.add({ rows: rows(4, 1), kinds: null });
    expect(s.take()).toEqual(text(1, 4));
    expect(s.take()).toEqual([]);
    s.add({ rows: rows(5, 2), kinds: null });
    expect(s.take()).toEqual(text(5, 2));
    for (let i = 0; i < 10; i++) s.add({ rows: rows(7 + i * 3, 3), kinds: null });
    expect(s.take()).toEqual(text(32, 5));
    s.add({ rows: rows(100, 12), kinds: null });
    expect(s.take()).toEqual(text(107, 5));
  });

  it('writes changelog kinds and nulls as Flink prints them', () => {
    const s = new OutputSample(fields as never, 50);
    s.add({ rows: [{ id: 1, s: null }, { id: 1, s: 'b' }, { id: 2, s: 'x' }], kinds: [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE] });
    expect(s.take()).toEqual(['-U[1, null]', '+U[1, b]', '-D[2, x]']);
  });

  it('takes in rows formatted elsewhere (a parallel subtask\'s) after its own, the newest `capacity` of them', () => {
    const s = new OutputSample(fields as never, 5);
    s.append(['a', 'b'], 0);
    expect(s.take()).toEqual(['a', 'b']);
    expect(s.take()).toEqual([]);
    s.append(['c'], 0);
    s.append(['d', 'e', 'f', 'g', 'h'], 0);
    expect(s.take()).toEqual(['d', 'e', 'f', 'g', 'h']);
    s.add({ rows: rows(3, 2), kinds: null });
    s.append(['i'], 0);
    expect(s.take()).toEqual([...text(3, 2), 'i']);
  });

  it('gives every source an equal share, so the subtask reporting last does not push the others out', () => {
    const s = new OutputSample(fields as never, 6);
    s.append(['a1', 'a2', 'a3', 'a4', 'a5', 'a6'], 0);
    s.append(['b1', 'b2', 'b3', 'b4', 'b5', 'b6'], 1);
    expect(s.take()).toEqual(['a4', 'a5', 'a6', 'b4', 'b5', 'b6']);
    s.add({ rows: rows(1, 4), kinds: null });
    s.append(['c1', 'c2', 'c3'], 1);
    expect(s.take()).toEqual([...text(1, 4).slice(-3), 'c1', 'c2', 'c3']);
  });
});
