// The keyed change buffer of the jdbc and elasticsearch-7 sinks, against a plain model: per key the last
// change, keys in first-arrival order, appended entries after in arrival order; batches cut where told.
import { describe, expect, it } from 'vitest';
import { ChangeBuffer } from '../../runtime/core/change-buffer.js';

describe('ChangeBuffer', () => {
  it('keeps the last change per key in first-arrival order, and sizes', () => {
    const b = new ChangeBuffer<{ v: string }>((e) => e.v.length);
    const model = new Map<string, string>();
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const key = `k${seed % 37}`;
      const v = 'x'.repeat(1 + (seed % 5));
      b.add(key, { v });
      model.set(key, v);
    }
    expect(b.length).toBe(model.size);
    expect(b.bytes).toBe([...model.values()].reduce((s, v) => s + v.length, 0));
    const first = b.take((_, taken) => taken < 10);
    expect(first.map((e) => e.v)).toEqual([...model.values()].slice(0, 10));
    expect(b.take().map((e) => e.v)).toEqual([...model.values()].slice(10));
    expect(b.length).toBe(0);
    expect(b.bytes).toBe(0);
  });

  it('appends entries without a key in order, and a batch always takes one', () => {
    const b = new ChangeBuffer<number>((n) => n);
    for (const n of [5, 1, 2]) b.add(null, n);
    expect(b.take((n, _taken, size) => size + n <= 4)).toEqual([5]);
    expect(b.take((n, _taken, size) => size + n <= 4)).toEqual([1, 2]);
    expect(b.take()).toEqual([]);
  });
});
