// Timers of the keyed two-input operators (interval and temporal joins), earliest first, as Flink's timer
// service fires them. An operator keeps the time of each key's current timer itself and skips a popped timer
// that is no longer current, so replacing a timer needs no removal from the heap.

/** A binary min-heap of (time, item). */
export class TimerHeap<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  push(time: number, item: T): void {
    const { times, items } = this;
    times.push(time);
    items.push(item);
    for (let i = times.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (times[p] <= times[i]) break;
      this.swap(p, i);
      i = p;
    }
  }

  /** The earliest time, or Infinity when there is none. */
  peek(): number {
    return this.times.length ? this.times[0] : Infinity;
  }

  /** The earliest timer if it is at or before `time`, removed; else null. */
  pop(time: number): [number, T] | null {
    const { times, items } = this;
    if (times.length === 0 || times[0] > time) return null;
    const top: [number, T] = [times[0], items[0]];
    const lastTime = times.pop()!;
    const lastItem = items.pop()!;
    if (times.length > 0) {
      times[0] = lastTime;
      items[0] = lastItem;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < times.length && times[l] < times[m]) m = l;
        if (r < times.length && times[r] < times[m]) m = r;
        if (m === i) break;
        this.swap(m, i);
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.times.length = 0;
    this.items.length = 0;
  }

  private swap(a: number, b: number): void {
    const { times, items } = this;
    [times[a], times[b]] = [times[b], times[a]];
    [items[a], items[b]] = [items[b], items[a]];
  }
}
