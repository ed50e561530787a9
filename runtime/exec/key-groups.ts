// Key groups, as Flink's KeyGroupRangeAssignment: a key's hash code (Java's hashCode of the value, by its SQL
// type) is spread by Flink's murmur hash (MathUtils.murmurHash) over `pipeline.max-parallelism` key groups
// (default 128), and subtask i of n owns the contiguous range of key groups kg with kg * n / max = i. State is
// kept and snapshotted per key group, so a savepoint restores at any parallelism up to the maximum: rescaling
// moves whole key groups. Flink SQL hashes a key's binary row instead of its Java values, so a key may sit in
// another key group than in Flink; nothing outside sluice depends on the placement (docs/operations.md).
import type { DataType } from '../core/data-types.js';
import type { Row } from '../core/row.js';
import { UserError } from '../core/errors.js';
import { stringHash } from '../core/java-hash.js';
import { fmix32 } from '../core/murmur3.js';
import { intOption } from '../core/options.js';

/** Flink's default and upper bound of `pipeline.max-parallelism` (KeyGroupRangeAssignment). */
export const DEFAULT_MAX_PARALLELISM = 128;
export const UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

export function maxParallelismOf(config: Record<string, string>): number {
  const max = intOption(config, 'pipeline.max-parallelism', DEFAULT_MAX_PARALLELISM, 1);
  if (max > UPPER_BOUND_MAX_PARALLELISM) throw new UserError(`pipeline.max-parallelism: ${max} is above Flink's bound ${UPPER_BOUND_MAX_PARALLELISM}`);
  return max;
}

/** The job's parallelism: the requested one (-p, REST), else `parallelism.default`, else 1; checked against the maximum. */
export function parallelismOf(config: Record<string, string>, requested?: number | null): number {
  const p = requested ?? intOption(config, 'parallelism.default', 1, 1);
  if (!Number.isInteger(p) || p < 1) throw new UserError(`parallelism must be a positive integer, got ${p}`);
  const max = maxParallelismOf(config);
  if (p > max) throw new UserError(`parallelism ${p} is above pipeline.max-parallelism ${max}`, `raise pipeline.max-parallelism (-D pipeline.max-parallelism=${p}) or lower -p`);
  return p;
}

/** Flink's MathUtils.murmurHash(int): non-negative. */
export function murmurHash(code: number): number {
  code = Math.imul(code, 0xcc9e2d51);
  code = (code << 15) | (code >>> 17);
  code = Math.imul(code, 0x1b873593);
  code = (code << 13) | (code >>> 19);
  code = (Math.imul(code, 5) + 0xe6546b64) | 0;
  code ^= 4;
  code = fmix32(code) | 0;
  return code >= 0 ? code : code !== -2147483648 ? -code : 0;
}

const scratch = new DataView(new ArrayBuffer(8));

/** java.lang.Long.hashCode for an integer that is exact as a double. */
const longHash = (v: number): number => (v | 0) ^ (Math.floor(v / 4294967296) | 0);

export { stringHash };

/** Java's hashCode of a value of this SQL type, as the boxed Java value's (null: 0). */
export function valueHash(v: unknown, type: DataType): number {
  if (v === null || v === undefined) return 0;
  switch (type.name) {
    case 'BOOLEAN': return v ? 1231 : 1237;
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'DATE': case 'TIME': return (v as number) | 0;
    case 'BIGINT': case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return longHash(v as number);
    // A DECIMAL (a bigint at its type's scale, core/decimal.ts) by its low and high 32 bits: equal values of one
    // type have one hash (Flink hashes DecimalData's own way; key groups only need to agree within sluice).
    case 'DECIMAL': return Number(BigInt.asIntN(32, v as bigint)) ^ Number(BigInt.asIntN(32, (v as bigint) >> 32n));
    case 'FLOAT': case 'DOUBLE': {
      const d = v as number;
      if (Number.isNaN(d)) return 0x7ff80000; // Double.doubleToLongBits of NaN: its canonical bits
      // -0 hashes as 0: SQL groups them as one key (Java's Double would not), and one key has one key group.
      scratch.setFloat64(0, d === 0 ? 0 : d);
      return scratch.getInt32(0) ^ scratch.getInt32(4);
    }
    case 'STRING': case 'VARCHAR': case 'CHAR': return stringHash(v as string);
    default: return stringHash(JSON.stringify(v));
  }
}

/** The hash of a key of several columns: Java's Arrays.hashCode over the values' hash codes; one column: its own. */
export function keyHash(values: readonly unknown[], types: readonly DataType[]): number {
  if (values.length === 1) return valueHash(values[0], types[0]);
  let h = 1;
  for (let i = 0; i < values.length; i++) h = (Math.imul(h, 31) + valueHash(values[i], types[i])) | 0;
  return h;
}

/** KeyGroupRangeAssignment.computeKeyGroupForKeyHash. */
export const keyGroupOf = (hash: number, maxParallelism: number): number => murmurHash(hash) % maxParallelism;

/** KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup: the subtask owning a key group. */
export const subtaskOf = (keyGroup: number, maxParallelism: number, parallelism: number): number =>
  Math.floor((keyGroup * parallelism) / maxParallelism);

/** KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex: the key groups subtask `index` owns, inclusive. */
export function keyGroupRange(maxParallelism: number, parallelism: number, index: number): { start: number; end: number } {
  return {
    start: Math.floor((index * maxParallelism + parallelism - 1) / parallelism),
    end: Math.floor(((index + 1) * maxParallelism - 1) / parallelism),
  };
}

/** The key group of a key of these column types, given its values in key order (what keyed state is split by). */
export function keyGroupFunction(types: readonly DataType[], maxParallelism: number): (keys: readonly unknown[]) => number {
  return (keys) => keyGroupOf(keyHash(keys, types), maxParallelism);
}

/** The key group of a row by its key columns `keys` (of these types): what a join side's state is split by. */
export function rowKeyGroup(keys: readonly string[], types: readonly DataType[], maxParallelism: number): (row: Row) => number {
  return (row) => keyGroupOf(keyHash(keys.map((k) => row[k] ?? null), types), maxParallelism);
}
