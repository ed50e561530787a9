// The functions of an OVER window with Flink's retracting accumulators (a bounded frame retracts the rows that
// leave it): COUNT, SUM and AVG keep a sum and a count of non-NULL values (SUM of no value is NULL), MIN and MAX a
// count per value (Flink's MinWithRetract/MaxWithRetract), DISTINCT a count per distinct value, LAG the last
// offset+1 values (Flink's LagAggFunction), an aggregate function (`@udaf`) its own accumulator (DISTINCT: with
// its distinct argument tuples, runtime/core/user-aggs.ts), rows leaving a bounded frame going to its retract.
// Accumulators are plain arrays, Maps, numbers and the functions' plain-data accumulators, so a checkpoint writes
// them with snapshot-values.ts.
import { isInteger, type Field } from '../../core/data-types.js';
import type { OverCall } from '../../core/plan.js';
import { INT_BITS, wrapInteger } from '../../core/scalar-functions.js';
import { avgDecimal } from '../../state/agg-kernel.js';
import type { Row } from '../../core/row.js';
import type { AggregateFunction, UdfFunctions } from '../../core/udf.js';
import { udafCreate, udafDistinctChange, udafDistinctCreate, udafOf, udafResult, type DistinctUdafAcc } from '../../core/user-aggs.js';

/** One accumulator per call, in call order. */
export type OverAccs = unknown[];

export interface OverAggs {
  create(): OverAccs;
  accumulate(accs: OverAccs, row: Row): void;
  retract(accs: OverAccs, row: Row): void;
  /** Writes every call's current value into `out` under its name. */
  values(accs: OverAccs, out: Row): void;
}

type SumAcc = [sum: number | null, count: number];
type CountsAcc = Map<unknown, number>;

/** `functions`: the run's UDF table, for aggregate functions (`@udaf`). */
export function overAggs(calls: readonly OverCall[], input: readonly Field[], functions: UdfFunctions = {}): OverAggs {
  const udafs = calls.map((c): AggregateFunction | null => (c.udaf ? udafOf(functions, c) : null));
  /** An aggregate function's arguments from a row, NULLs included (as in Flink), into or out of its slot. */
  const udafChange = (i: number, acc: unknown, row: Row, by: 1 | -1) => {
    const c = calls[i];
    const args = c.udaf!.args.map((a) => row[a] ?? null);
    if (c.distinct) udafDistinctChange(udafs[i]!, acc as DistinctUdafAcc, args, by);
    else if (by > 0) udafs[i]!.accumulate(acc as object, ...args);
    else udafs[i]!.retract!(acc as object, ...args);
  };
  const argType = calls.map((c) => (c.arg === null ? null : input.find((f) => f.name === c.arg)!.type));
  const integer = argType.map((t) => t !== null && isInteger(t));
  // DECIMAL values are bigints at the argument's scale (core/decimal.ts); AVG divides them as Flink does.
  const scale = argType.map((t) => (t !== null && t.name === 'DECIMAL' ? t.scale ?? 0 : undefined));
  const average = (i: number, sum: any, n: number) => (scale[i] !== undefined ? avgDecimal(sum, scale[i]!, n) : integer[i] ? Math.trunc(sum / n) : sum / n);
  // SUM keeps its argument's type: a TINYINT/SMALLINT/INT sum wraps as Java's int arithmetic (as agg-kernel.ts).
  const bits = calls.map((c, i) => (c.fn === 'sum' && argType[i] ? INT_BITS[argType[i]!.name] ?? 0 : 0));
  const arg = (c: OverCall, row: Row): unknown => (c.arg === null ? 1 : row[c.arg] ?? null);

  const finishSum = (i: number, sum: number | null): number | null => {
    if (sum === null || !integer[i]) return sum;
    if (!Number.isSafeInteger(sum)) throw new RangeError(`OVER aggregate ${calls[i].label ?? calls[i].name}: the integer sum left the exact integer range (±2^53-1); declare the column DECIMAL or DOUBLE`);
    return wrapInteger(sum, bits[i]);
  };
  /** The value of an aggregate over the values of a DISTINCT count map (each distinct value once). */
  const overDistinct = (i: number, counts: CountsAcc): unknown => {
    const fn = calls[i].fn;
    if (fn === 'count') return counts.size;
    // Values of one column: numbers, strings or timestamps (epoch ms), all ordered by < and >.
    let r: any = null;
    for (const v of counts.keys() as IterableIterator<any>) r = r === null ? v : fn === 'min' ? (v < r ? v : r) : fn === 'max' ? (v > r ? v : r) : r + v;
    if (fn === 'avg') return r === null ? null : average(i, r, counts.size);
    return fn === 'sum' ? finishSum(i, r) : r;
  };
  const bump = (m: CountsAcc, v: unknown, by: number) => {
    const n = (m.get(v) ?? 0) + by;
    if (n === 0) m.delete(v); else m.set(v, n);
  };

  return {
    create: () => calls.map((c, i): unknown => {
      if (udafs[i]) return c.distinct ? udafDistinctCreate(udafs[i]!, c) : udafCreate(udafs[i]!, c);
      if (c.distinct || c.fn === 'min' || c.fn === 'max') return new Map();
      if (c.fn === 'count') return 0;
      if (c.fn === 'lag') return [];
      return [null, 0] satisfies SumAcc;
    }),
    accumulate(accs, row) {
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i];
        if (udafs[i]) { udafChange(i, accs[i], row, 1); continue; }
        const v = arg(c, row);
        if (c.fn === 'lag') {
          const buf = accs[i] as unknown[];
          buf.push(v);
          while (buf.length > c.offset! + 1) buf.shift();
          continue;
        }
        if (v === null) continue;
        if (c.distinct || c.fn === 'min' || c.fn === 'max') bump(accs[i] as CountsAcc, v, 1);
        else if (c.fn === 'count') (accs[i] as number)++;
        else { const a = accs[i] as SumAcc; a[0] = a[0] === null ? (v as number) : a[0] + (v as number); a[1]++; }
      }
    },
    retract(accs, row) {
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i];
        if (udafs[i]) { udafChange(i, accs[i], row, -1); continue; }
        const v = arg(c, row);
        // LAG keeps the last values whatever leaves the frame (Flink's LagAggFunction retracts nothing either).
        if (c.fn === 'lag' || v === null) continue;
        if (c.distinct || c.fn === 'min' || c.fn === 'max') bump(accs[i] as CountsAcc, v, -1);
        else if (c.fn === 'count') (accs[i] as number)--;
        else { const a = accs[i] as SumAcc; a[0] = (a[0] ?? (scale[i] !== undefined ? 0n : 0) as any) - (v as number); a[1]--; }
      }
    },
    values(accs, out) {
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i];
        const acc = accs[i];
        let r: unknown;
        if (udafs[i]) {
          r = udafResult(udafs[i]!, c, c.distinct ? (acc as DistinctUdafAcc)[1] : acc);
        } else if (c.fn === 'lag') {
          const buf = acc as unknown[];
          // The default only before the partition has offset rows; a NULL value offset rows back is NULL (as
          // LagAggFunction.getValue; Flink 2.3 emits -1 there instead, docs/over.md).
          r = buf.length < c.offset! + 1 ? (c.defaultValue ?? null) : buf[0];
        } else if (c.distinct || c.fn === 'min' || c.fn === 'max') {
          r = overDistinct(i, acc as CountsAcc);
        } else if (c.fn === 'count') {
          r = acc;
        } else {
          const [sum, n] = acc as SumAcc;
          r = n === 0 ? null : c.fn === 'avg' ? average(i, sum, n) : finishSum(i, sum);
        }
        out[c.name] = r;
      }
    },
  };
}
