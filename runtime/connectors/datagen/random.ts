// Counter-based randomness for datagen: the values of a column in row n depend only on (seed, column name, n).
// So a restored source needs nothing but the seed and the row count to continue the same data, and a query
// reading fewer columns (projection pushdown) still sees the same values in the ones it reads.
import { fmix32 } from '../../core/murmur3.js';

/** The key of one column's stream under a seed (FNV-1a of the name, mixed with the seed). */
export function streamKey(seed: number, column: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < column.length; i++) h = Math.imul(h ^ column.charCodeAt(i), 0x01000193);
  return fmix32(h ^ fmix32(seed >>> 0));
}

const TWO_32 = 4294967296;
const HEX = '0123456789abcdef';

/** Draws for one (column, row) at a time: at() positions it, then mulberry32 steps give the draws. */
export class RowRandom {
  private s = 0;

  at(key: number, row: number): void {
    this.s = fmix32(key ^ fmix32(row >>> 0) ^ fmix32(Math.floor(row / TWO_32) + 0x9e3779b9)) | 0;
  }

  next32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextDouble(): number {
    return ((this.next32() >>> 5) * 67108864 + (this.next32() >>> 6)) / 9007199254740992;
  }

  /** Uniform integer in [min, max]. */
  nextInt(min: number, max: number): number {
    return Math.min(max, min + Math.floor(this.nextDouble() * (max - min + 1)));
  }

  /** Lower-case hex digits, as Flink's random strings (RandomDataGenerator.nextHexString). */
  nextHex(length: number): string {
    let out = '';
    let bits = 0;
    for (let i = 0; i < length; i++) {
      if ((i & 7) === 0) bits = this.next32();
      out += HEX[bits & 15];
      bits >>>= 4;
    }
    return out;
  }
}
