// Exact DECIMAL arithmetic (runtime/core/decimal.ts) against Java's BigDecimal answers written out by hand, and
// HALF_UP rescaling against a formula on small doubles. Flink's own answers for whole queries are in the
// conformance corpus (family 'decimal'); this file pins the edges those cannot reach cheaply.
import { describe, expect, it } from 'vitest';
import {
  divideDecimal, fit, floorDecimal, javaDecimalString, parseDecimal, plainString, remainderDecimal, rescale, roundDecimal, truncateDecimal,
} from '../../runtime/core/decimal.js';
import { decimalOp } from '../../runtime/core/scalar-functions.js';
import type { Field } from '../../runtime/core/data-types.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import type { AggCall } from '../../runtime/core/plan.js';
import { aggKernel } from '../../runtime/state/agg-kernel.js';
import { GroupState } from '../../runtime/state/group-state.js';
import { fromSnapshotValue, toSnapshotFlat, toSnapshotValue } from '../../runtime/state/snapshot-values.js';
import { WindowState } from '../../runtime/state/window-state.js';

describe('DECIMAL values', () => {
  it('spells values as BigDecimal.toPlainString and toString do', () => {
    expect(plainString(0n, 13)).toBe('0.0000000000000');
    expect(plainString(-5n, 2)).toBe('-0.05');
    expect(plainString(1230n, 2)).toBe('12.30');
    expect(plainString(42n, 0)).toBe('42');
    expect(javaDecimalString(0n, 13)).toBe('0E-13');
    expect(javaDecimalString(333333333333333n, 21)).toBe('3.33333333333333E-7');
    expect(javaDecimalString(12n, 8)).toBe('1.2E-7');
    expect(javaDecimalString(-1n, 7)).toBe('-1E-7');
    expect(javaDecimalString(1n, 6)).toBe('0.000001');
    expect(javaDecimalString(-5n, 2)).toBe('-0.05');
  });

  it('reads text as new BigDecimal(text), rounded HALF_UP, NULL beyond the precision', () => {
    expect(parseDecimal('0.125', 3, 2)).toBe(13n);
    expect(parseDecimal('-0.125', 3, 2)).toBe(-13n);
    expect(parseDecimal(' 1.5e2 ', 5, 1)).toBe(1500n);
    expect(parseDecimal('.5', 1, 0)).toBe(1n);
    expect(parseDecimal('99999999999999999999999999999999999999', 38, 0)).toBe(10n ** 38n - 1n);
    expect(parseDecimal('1e38', 38, 0)).toBeNull();
    expect(parseDecimal('999.995', 5, 2)).toBeNull();
    expect(() => parseDecimal('abc', 5, 2)).toThrow(/not a number/);
    expect(() => parseDecimal('', 5, 2)).toThrow(/not a number/);
  });

  it('rounds HALF_UP as Math.round does on the magnitude, for small values', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const u = Math.floor(rand() * 2_000_001) - 1_000_000;
      const drop = 1 + Math.floor(rand() * 3);
      const expected = Math.sign(u) * Math.floor(Math.abs(u) / 10 ** drop + 0.5);
      expect(rescale(BigInt(u), 4, 4 - drop)).toBe(BigInt(expected));
    }
  });

  it('divides as Flink: 38 significant digits HALF_UP, then the result scale', () => {
    // 0.1234999...9995 (40 digits): 38 digits give 0.1235, which rounds to 0.124 at scale 3 (one rounding: 0.123).
    expect(divideDecimal(1234999999999999999999999999999999999995n, 40, 1n, 0, 38, 3)).toBe(124n);
    expect(divideDecimal(1234n, 2, 3n, 0, 21, 13)).toBe(41133333333333n); // 12.34 / 3
    expect(divideDecimal(-5n, 2, 3n, 0, 21, 13)).toBe(-166666666667n); // -0.05 / 3
    expect(divideDecimal(0n, 2, 3n, 0, 21, 13)).toBe(0n);
    expect(divideDecimal(1n, 0, 3n, 0, 38, 37)).toBe(BigInt('3'.repeat(37)));
    expect(() => divideDecimal(1n, 0, 0n, 0, 10, 2)).toThrow(/Division by zero/);
    expect(() => decimalOp('/', 1n, 0n, 0, 0, 10, 6)).toThrow(/ArithmeticException/);
  });

  it('adds, multiplies, takes remainders and rounds with NULL on overflow', () => {
    expect(decimalOp('+', 1234n, 5n, 2, 3, 12, 3)).toBe(12345n); // 12.34 + 0.005
    expect(decimalOp('*', 9999999999n, 9999999999n, 2, 2, 21, 4)).toBe(99999999980000000001n);
    expect(decimalOp('+', 10n ** 38n - 1n, 1234n, 0, 2, 38, 2)).toBeNull();
    expect(decimalOp('-', 10n ** 38n - 1n, 1n, 0, 0, 38, 0)).toBe(10n ** 38n - 2n);
    expect(remainderDecimal(1234n, 2, 3n, 1, 3, 2)).toBe(4n); // MOD(12.34, 0.3) = 0.04
    expect(remainderDecimal(-1234n, 2, -5n, 0, 3, 2)).toBe(-234n); // MOD(-12.34, -5) = -2.34
    expect(roundDecimal(-5n, 2, 1)).toBe(-1n); // ROUND(-0.05, 1) = -0.1
    expect(roundDecimal(1234n, 2, -1)).toBe(10n); // ROUND(12.34, -1) = 10, at scale 0
    expect(roundDecimal(-1550n, 2, -1)).toBe(-20n); // ROUND(-15.50, -1) = -20
    expect(truncateDecimal(-1299n, 2, 1)).toBe(-129n);
    expect(floorDecimal(-5n, 2, false)).toBe(-1n);
    expect(floorDecimal(-5n, 2, true)).toBe(0n);
    expect(fit(123456n, 3, 4, 1)).toBe(1235n);
    expect(fit(123456n, 3, 3, 1)).toBeNull();
  });

  it('keys, accumulators and last rows of DECIMAL survive a group and a window snapshot through JSON', () => {
    const input: Field[] = [{ name: 'k', type: DataTypes.DECIMAL(6, 2) }, { name: 'v', type: DataTypes.DECIMAL(10, 3) }];
    const aggs = [{ name: 's', fn: 'sum', arg: 'v', distinct: false }, { name: 'a', fn: 'avg', arg: 'v', distinct: false }] as AggCall[];
    const types = [input[0].type];
    const group = () => new GroupState(aggKernel(aggs, input), ['k'], types, ['s', 'a'], () => 0, 128);
    const g = group();
    for (const [k, v] of [[-5n, 1234n], [120n, 1n], [-5n, 10n ** 9n]]) {
      const e = g.entry([k]);
      e.acc[0] = e.acc[0] === null ? v : e.acc[0] + v;
      e.prev = { k, s: e.acc[0] };
    }
    const back = group();
    back.restore(JSON.parse(JSON.stringify(g.snapshot())));
    expect(back.entry([-5n]).acc[0]).toBe(1234n + 10n ** 9n);
    expect(back.entry([-5n]).prev).toEqual({ k: -5n, s: 1234n + 10n ** 9n });
    expect(back.entry([120n]).acc[0]).toBe(1n);

    const window = () => new WindowState({ type: 'tumble', timeColumn: 't', time: 'event', sizeMs: 60_000, slideMs: 60_000, gapMs: 0 } as never, aggKernel(aggs, input), ['k'], ['s', 'a'], [], () => 0, 128);
    const w = window();
    w.assign(0);
    w.create(0, 250n, [250n])[0] = 7n;
    const wBack = window();
    wBack.restore(JSON.parse(JSON.stringify(w.snapshot())));
    const out: Record<string, unknown>[] = [];
    wBack.fire(60_000, out);
    expect(out.map((r) => [r.k, r.s])).toEqual([[250n, 7n]]);
    // Rows without a bigint are kept as they are (no copy).
    const plain = { a: 1, b: 'x' };
    expect(toSnapshotFlat(plain)).toBe(plain);
  });

  it('survives a state snapshot', () => {
    const state = [10n ** 37n, new Map([[-5n, 2]]), { sum: 0n }];
    expect(fromSnapshotValue(JSON.parse(JSON.stringify(toSnapshotValue(state))))).toEqual(state);
  });
});
