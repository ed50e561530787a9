// Strings of a text column read from bytes. Making a string from a Buffer is a call into C++ (about 60 ns for a
// short one, more than decoding the rest of a csv line), while stream columns that are strings are mostly keys
// with few distinct values (pages, provinces, currencies). So each column remembers the strings it made, found
// by a hash the decoder computes while it scans the field, and compared byte for byte before one is reused.
// Columns with many distinct values pay one failed comparison per field on top of the copy.

/** Entries per column: a power of two, the hash's low bits pick one. */
const SLOTS = 1024;
/** Longer fields are not remembered: long strings are rarely keys, and comparing them costs as much as copying. */
const MAX_CACHED = 48;

/** The hash the decoder folds into its field scan: h = Math.imul(h ^ byte, FNV_PRIME), starting at FNV_OFFSET. */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

/** Buffer's latin1/utf8 slicers without toString's argument handling (they exist on every Node Buffer). */
interface Slicing {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

export class ByteStrings {
  private readonly slots: (string | undefined)[] = new Array(SLOTS).fill(undefined);

  /**
   * The string of b[start, end). `hash` is the FNV hash of those bytes and `high` their bitwise OR, both from
   * the decoder's scan: high > 127 means the field is not ASCII and is decoded as UTF-8.
   */
  get(b: Uint8Array, start: number, end: number, hash: number, high: number): string {
    const len = end - start;
    if (high > 127) return (b as unknown as Slicing).utf8Slice(start, end);
    if (len > MAX_CACHED) return (b as unknown as Slicing).latin1Slice(start, end);
    const slot = hash & (SLOTS - 1);
    const known = this.slots[slot];
    if (known !== undefined && known.length === len && sameBytes(known, b, start)) return known;
    const made = (b as unknown as Slicing).latin1Slice(start, end);
    this.slots[slot] = made;
    return made;
  }
}

function sameBytes(s: string, b: Uint8Array, start: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[start + i]) return false;
  return true;
}
