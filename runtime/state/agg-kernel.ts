// Aggregate accumulators, one layout for both execution modes: slot i of an accumulator array holds, for
// SUM/MIN/MAX a value or null, for COUNT a number, for AVG [sum, count], for a DISTINCT aggregate a Map of
// value → occurrences, for an aggregate function (`@udaf`) its own accumulator (DISTINCT: with its distinct
// argument tuples, runtime/core/user-aggs.ts). Generated ingest code
// accumulates inline into this layout (emitAccumulate in compiler/codegen/emit-stages.ts); creating, finishing
// and merging accumulators is per group, not per row, and lives here once.
import { isInteger, type Field } from '../core/data-types.js';
import type { AggKernel } from '../core/kernels.js';
import { INT_BITS, wrapInteger } from '../core/scalar-functions.js';
import { divideDecimal } from '../core/decimal.js';
import type { AggCall, WindowProperty } from '../core/plan.js';
import { literalKey, type Row } from '../core/row.js';
import type { UdfFunctions } from '../core/udf.js';
import { udafCreate, udafDistinctChange, udafDistinctCreate, udafDistinctMerge, udafMerge, udafOf, udafResult, type DistinctUdafAcc } from '../core/user-aggs.js';
import {
  collectAdd, collectCreate, collectMerge, collectResult, collectRetract, isCollecting, welfordAdd, welfordCreate, welfordMerge, welfordResult, welfordRetract,
} from '../core/collecting-aggs.js';

/**
 * Accumulator slots per aggregate: sum/min/max a value or null, count a number, avg [sum, count];
 * DISTINCT aggregates keep a Map of the distinct values (to count, and for sessions to merge).
 * `retracting` (the input is an updating one, GroupAggregateNode.retracting): the layout keeps what taking a
 * row back needs, as Flink's *WithRetract aggregate functions: sum [sum, non-null count] (0 + v first, NULL
 * when the count is back to 0), avg [sum, count] from 0, min/max [current, Map value → occurrences] (the
 * current one recomputed when its last occurrence goes), and one more slot at the end counting the group's
 * rows, so the group is removed (and its row deleted, -D) when its last row is retracted. Occurrence counts
 * may go below zero in a local pre-aggregate (a retraction of a row another batch accumulated); merge adds.
 */
export function aggKernel(aggs: AggCall[], input: readonly Field[], retracting = false, functions: UdfFunctions = {}): AggKernel<any[]> {
  const argType = aggs.map((a) => (a.arg === null ? null : input.find((f) => f.name === a.arg)!.type));
  // Aggregate functions' instances (their slot holds their own accumulator: runtime/core/user-aggs.ts).
  const udafs = aggs.map((a) => (a.udaf ? udafOf(functions, a) : null));
  const integerArg = argType.map((t) => t !== null && isInteger(t));
  // A DECIMAL argument's scale (its values are bigints, core/decimal.ts): sums start at 0n, AVG divides exactly.
  const decimalScale = argType.map((t) => (t !== null && t.name === 'DECIMAL' ? t.scale ?? 0 : undefined));
  const zero = (i: number) => (decimalScale[i] === undefined ? 0 : 0n);
  const finish = (i: number, sum: any, count: number) => (decimalScale[i] === undefined ? finishAvg(sum, count, integerArg[i]) : avgDecimal(sum, decimalScale[i]!, count));
  // SUM keeps its argument's type, as Flink's: a TINYINT/SMALLINT/INT sum wraps around as Java's int arithmetic.
  const sumBits = aggs.map((a, i) => (a.fn === 'sum' && argType[i] ? INT_BITS[argType[i]!.name] ?? 0 : 0));
  const rows = aggs.length;
  const create = retracting
    ? () => [...aggs.map((a, i) => (udafs[i] ? (a.distinct ? udafDistinctCreate(udafs[i]!, a) : udafCreate(udafs[i]!, a)) : a.distinct ? new Map() : isCollecting(a.fn) ? collectCreate(a.fn, true) : a.fn === 'welford_m2' ? welfordCreate() : a.fn === 'count' ? 0 : a.fn === 'min' || a.fn === 'max' ? [null, new Map()] : [zero(i), 0])), 0]
    : () => aggs.map((a, i) => (udafs[i] ? (a.distinct ? udafDistinctCreate(udafs[i]!, a) : udafCreate(udafs[i]!, a)) : a.distinct ? new Map() : isCollecting(a.fn) ? collectCreate(a.fn, false) : a.fn === 'welford_m2' ? welfordCreate() : a.fn === 'count' ? 0 : a.fn === 'avg' ? [null, 0] : null));
  return {
    create,
    rows: retracting ? (acc) => acc[rows] : undefined,
    result(acc, out) {
      aggs.forEach((a, i) => {
        const s = acc[i];
        if (udafs[i]) {
          out[a.name] = udafResult(udafs[i]!, a, a.distinct ? (s as DistinctUdafAcc)[1] : s);
          return;
        }
        if (isCollecting(a.fn)) {
          out[a.name] = collectResult(a.fn, s, retracting, a.separator ?? ',');
        } else if (a.fn === 'welford_m2') {
          out[a.name] = welfordResult(s);
        } else if (a.distinct) {
          let r: number | null = a.fn === 'count' ? 0 : null;
          let n = 0;
          for (const [v, c] of s as Map<any, number>) if (c > 0) { r = step(a.fn, r, v); n++; }
          out[a.name] = a.fn === 'avg' ? (n === 0 ? null : finish(i, r, n)) : r;
        } else if (a.fn === 'avg') {
          out[a.name] = s[1] === 0 ? null : finish(i, s[0], s[1]);
        } else if (retracting && a.fn === 'sum') {
          out[a.name] = s[1] === 0 ? null : s[0];
        } else {
          out[a.name] = retracting && a.fn !== 'count' ? s[0] : s;
        }
        if (integerArg[i] && a.fn === 'sum' && out[a.name] !== null) {
          if (!Number.isSafeInteger(out[a.name])) {
            throw new RangeError(`aggregate ${a.label ?? a.name}: the integer sum left the exact integer range (±2^53-1); declare the column DECIMAL or DOUBLE`);
          }
          out[a.name] = wrapInteger(out[a.name] as number, sumBits[i]);
        }
      });
    },
    merge(into, from) {
      aggs.forEach((a, i) => {
        if (udafs[i]) { if (a.distinct) udafDistinctMerge(udafs[i]!, into[i], from[i]); else udafMerge(udafs[i]!, a, into[i], from[i]); }
        else if (isCollecting(a.fn)) into[i] = collectMerge(a.fn, into[i], from[i], retracting, a.separator ?? ',');
        else if (a.fn === 'welford_m2') welfordMerge(into[i], from[i]);
        else if (a.distinct) addOccurrences(into[i], from[i]);
        else if (a.fn === 'count') into[i] += from[i];
        else if (retracting && (a.fn === 'min' || a.fn === 'max')) { addOccurrences(into[i][1], from[i][1]); into[i][0] = extreme(a.fn, into[i][1]); }
        else if (retracting || a.fn === 'avg') { into[i][0] = into[i][0] === null ? from[i][0] : from[i][0] === null ? into[i][0] : into[i][0] + from[i][0]; into[i][1] += from[i][1]; }
        else if (from[i] !== null) into[i] = step(a.fn, into[i], from[i]);
      });
      if (retracting) into[rows] += from[rows];
    },
  };
}

/** Types whose MIN and MAX do not depend on the order values come in (doubles do: NaN and -0 compare as equal to others). */
const ORDERED_EXACTLY = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'DECIMAL', 'STRING', 'VARCHAR', 'CHAR', 'BOOLEAN', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ']);

/**
 * Whether merging accumulators (the kernel's merge) gives exactly what accumulating the same rows one by one
 * gives, whatever the grouping and order: COUNT, SUM and AVG of integers and DECIMALs (integer sums are exact
 * while every partial sum is, as the rows' own sum must be: result() refuses one past ±2^53), MIN and MAX of
 * values compared exactly, and their DISTINCT forms. Not floating-point sums (another order rounds
 * differently), not what keeps its values in order (LISTAGG, ARRAY_AGG, FIRST_VALUE, ...) or rounds
 * (STDDEV's Welford step), not aggregate functions (their merge is theirs).
 */
export function mergesExactly(aggs: readonly AggCall[], input: readonly Field[]): boolean {
  return aggs.every((a) => {
    if (a.udaf || a.fn === 'welford_m2' || isCollecting(a.fn)) return false;
    if (a.fn === 'count') return true;
    const t = input.find((f) => f.name === a.arg)?.type;
    if (t === undefined) return false;
    if (a.fn === 'sum' || a.fn === 'avg') return isInteger(t) || t.name === 'DECIMAL';
    return ORDERED_EXACTLY.has(t.name);
  });
}

/** Adds value occurrences into a Map, dropping values whose count comes to zero. */
function addOccurrences(into: Map<unknown, number>, from: Map<unknown, number>): void {
  for (const [v, c] of from) {
    const n = (into.get(v) ?? 0) + c;
    if (n === 0) into.delete(v);
    else into.set(v, n);
  }
}

/** MIN or MAX over the values a retracting accumulator holds (those occurring a positive number of times). */
export function extreme(fn: 'min' | 'max' | AggCall['fn'], values: Map<any, number>): unknown {
  let best: any = null;
  for (const [v, c] of values) if (c > 0 && (best === null || (fn === 'min' ? v < best : v > best))) best = v;
  return best;
}

/** An aggregate function's arguments from a row (NULLs included: accumulate sees them, as in Flink). */
const udafArgs = (a: AggCall, r: Row) => a.udaf!.args.map((c) => r[c] ?? null);

/** `functions`: the run's UDF table, for aggregate functions (`@udaf`). */
export function accumulateAll(aggs: AggCall[], acc: any[], r: Row, functions: UdfFunctions = {}): void {
  for (let i = 0; i < aggs.length; i++) {
    const a = aggs[i];
    if (a.filter !== undefined && r[a.filter] !== true) continue;
    if (a.udaf) {
      if (a.distinct) udafDistinctChange(udafOf(functions, a), acc[i], udafArgs(a, r), 1);
      else udafOf(functions, a).accumulate(acc[i], ...udafArgs(a, r));
      continue;
    }
    const v = a.arg === null ? 1 : r[a.arg];
    if (isCollecting(a.fn)) { if (collects(a, v, r)) acc[i] = collectAdd(a.fn, acc[i], v, false, a.separator ?? ',', a.arg2 === undefined ? undefined : r[a.arg2]); continue; }
    if (v === null || v === undefined) continue;
    if (a.distinct) { acc[i].set(v, (acc[i].get(v) ?? 0) + 1); continue; }
    if (a.fn === 'welford_m2') { welfordAdd(acc[i], v as number); continue; }
    if (a.fn === 'avg') { acc[i][0] = acc[i][0] === null ? v : acc[i][0] + v; acc[i][1]++; }
    else acc[i] = step(a.fn, acc[i], v);
  }
}

/**
 * A row into a retracting accumulator (aggKernel's `retracting` layout), or out of it (`sign` -1), as the
 * generated code does (emitAccumulate / emitRetract in compiler/codegen/emit-stages.ts).
 */
export function changeAll(aggs: AggCall[], acc: any[], r: Row, sign: 1 | -1, functions: UdfFunctions = {}): void {
  for (let i = 0; i < aggs.length; i++) {
    const a = aggs[i];
    if (a.filter !== undefined && r[a.filter] !== true) continue;
    if (a.udaf) {
      const f = udafOf(functions, a);
      if (a.distinct) udafDistinctChange(f, acc[i], udafArgs(a, r), sign);
      else if (sign > 0) f.accumulate(acc[i], ...udafArgs(a, r));
      else f.retract!(acc[i], ...udafArgs(a, r));
      continue;
    }
    const v = a.arg === null ? 1 : r[a.arg];
    if (isCollecting(a.fn)) {
      if (!collects(a, v, r)) continue;
      if (sign > 0) collectAdd(a.fn, acc[i], v, true, a.separator ?? ',', a.arg2 === undefined ? undefined : r[a.arg2]);
      else collectRetract(a.fn, acc[i], v);
      continue;
    }
    if (v === null || v === undefined) continue;
    if (a.distinct) { addOccurrences(acc[i], new Map([[v, sign]])); continue; }
    switch (a.fn) {
      case 'welford_m2': if (sign > 0) welfordAdd(acc[i], v as number); else welfordRetract(acc[i], v as number); break;
      case 'count': acc[i] += sign; break;
      case 'sum': case 'avg': acc[i][0] = sign > 0 ? acc[i][0] + v : acc[i][0] - (v as number); acc[i][1] += sign; break;
      case 'min': case 'max': {
        const m = acc[i];
        addOccurrences(m[1], new Map([[v, sign]]));
        if (sign > 0) { if (m[0] === null || (a.fn === 'min' ? v < m[0] : v > m[0])) m[0] = v; }
        else if (v === m[0] && !((m[1].get(v) ?? 0) > 0)) m[0] = extreme(a.fn, m[1]);
        break;
      }
    }
  }
  acc[aggs.length] += sign;
}

/**
 * Whether a collecting aggregate takes the row: a non-NULL argument (NULLs are left out, and JSON_ARRAYAGG's
 * NULL ON NULL argument is never NULL: it is the JSON text 'null'); JSON_OBJECTAGG takes a row whose value is
 * not NULL (NULL ON NULL makes it 'null') and fails on a NULL key, as Flink; ARRAY_AGG takes NULLs too (its
 * IGNORE NULLS is a FILTER the frontend adds).
 */
function collects(a: AggCall, v: unknown, r: Row): boolean {
  if (a.fn === 'array_agg') return true;
  if (a.fn === 'json_objectagg') {
    if (v === null || v === undefined) throw new RangeError('JSON_OBJECTAGG: a key is NULL (Flink fails the job the same way)');
    return r[a.arg2!] !== null && r[a.arg2!] !== undefined;
  }
  return v !== null && v !== undefined;
}

function step(fn: AggCall['fn'], acc: any, v: any): any {
  switch (fn) {
    case 'count': return acc + 1;
    case 'sum': case 'avg': return acc === null ? v : acc + v;
    case 'min': return acc === null || v < acc ? v : acc;
    case 'max': return acc === null || v > acc ? v : acc;
    default: throw new Error(`aggregate ${fn} does not step`);
  }
}

function finishAvg(sum: number, count: number, integer: boolean): number {
  return integer ? Math.trunc(sum / count) : sum / count;
}

/** AVG of a DECIMAL(p, s) column: sum / count as Flink divides, at DECIMAL(38, max(s, 6)). */
export function avgDecimal(sum: bigint, scale: number, count: number): bigint | null {
  return divideDecimal(sum, scale, BigInt(count), 0, 38, Math.max(scale, 6));
}


/**
 * Builds an aggregate's output rows as one object literal generated for its columns: the key columns, the
 * aggregates' results (the kernel's result() writes them into one scratch object, so finishing stays in one
 * place) and a window's properties. Assigning the columns one by one with computed names made V8 store
 * through a megamorphic cache for every column of every emitted row.
 */
export function resultRowBuilder(
  kernel: AggKernel, keyNames: readonly string[], aggNames: readonly string[], properties: readonly { name: string; property: WindowProperty }[] = [],
): (keys: readonly unknown[], acc: unknown, start: number, end: number) => Row {
  const props = [
    ...keyNames.map((n, i) => `${literalKey(n)}: keys[${i}]`),
    ...aggNames.map((n) => `${literalKey(n)}: scratch[${JSON.stringify(n)}]`),
    // rowtime (and proctime) is the window's last millisecond, end - 1, as Flink's window_time.
    ...properties.map((p) => `${literalKey(p.name)}: ${p.property === 'start' ? 'start' : p.property === 'end' ? 'end' : 'end - 1'}`),
  ];
  const scratch: Row = {};
  return new Function('kernel', 'scratch', `return (keys, acc, start, end) => { kernel.result(acc, scratch); return { ${props.join(', ')} }; };`)(kernel, scratch);
}

/** Whether two result rows of one group differ in their aggregates (the key columns are the group's own). */
export function sameResults(aggNames: readonly string[]): (a: Row, b: Row) => boolean {
  if (aggNames.length === 0) return () => true;
  const cmp = aggNames.map((n) => `a[${JSON.stringify(n)}] === b[${JSON.stringify(n)}]`).join(' && ');
  return new Function('a', 'b', `return ${cmp};`) as (a: Row, b: Row) => boolean;
}
