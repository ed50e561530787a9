// The buffer of a sink that applies changes by key (jdbc, elasticsearch-7): with a key, the last change per
// key in first-arrival order (a key changed again keeps its place, so a batch never reorders keys and each key
// is written once per batch, as Flink's reduced buffers do); without one, changes in arrival order.
// Entries have a size (rows count 1, bulk actions their bytes) so a batch can be cut at a byte limit.

export class ChangeBuffer<T> {
  private readonly byKey = new Map<string, T>();
  private appended: T[] = [];
  /** Sum of size() over the entries. */
  private total = 0;

  constructor(private readonly size: (entry: T) => number = () => 1) {}

  /** Entries buffered. */
  get length(): number {
    return this.byKey.size + this.appended.length;
  }

  /** Sum of the entries' sizes. */
  get bytes(): number {
    return this.total;
  }

  /** Adds a change; with a key it replaces the key's earlier change (keeping its place), without it appends. */
  add(key: string | null, entry: T): void {
    if (key === null) {
      this.appended.push(entry);
    } else {
      const previous = this.byKey.get(key);
      if (previous !== undefined) this.total -= this.size(previous);
      this.byKey.set(key, entry);
    }
    this.total += this.size(entry);
  }

  /**
   * Removes entries from the front while `fits(entry, taken, takenSize)` says they fit in the batch (the first
   * always does, so a batch is never empty); all of them without `fits`.
   */
  take(fits: (entry: T, taken: number, takenSize: number) => boolean = () => true): T[] {
    const out: T[] = [];
    let size = 0;
    const accept = (e: T) => {
      if (out.length > 0 && !fits(e, out.length, size)) return false;
      out.push(e);
      size += this.size(e);
      return true;
    };
    for (const [key, e] of this.byKey) {
      if (!accept(e)) break;
      this.byKey.delete(key);
    }
    if (this.byKey.size === 0) {
      let n = 0;
      while (n < this.appended.length && accept(this.appended[n])) n++;
      this.appended = n === this.appended.length ? [] : this.appended.slice(n);
    }
    this.total -= size;
    return out;
  }
}
