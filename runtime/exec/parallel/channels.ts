// The two ends of an exchange between parallel subtasks (Flink's result partition and input gate, in memory).
// An Outbox in subtask i takes the batches of its vertex, sends each row (or partial aggregate) to the
// subtask that owns it (hash of the key columns → key group → subtask, key-groups.ts; round robin; or all),
// and sends watermarks, idleness, checkpoint barriers and the end of input to every subtask, in band, in
// order. An Inbox in subtask j takes what the n Outboxes of its exchange send: its watermark is the minimum
// over the channels that are neither idle nor ended; a barrier from one channel blocks that channel (its
// later messages wait) until every channel has brought the barrier (aligned barriers: the consistent cut).
// Backpressure is credit-based, as Flink's network buffers: an Outbox has CREDITS data messages in flight per
// channel, each of at most MESSAGE_ROWS elements (rows or partial aggregates); the Inbox returns a credit once a
// message is processed and the sinks behind it have room. Without credit the Outbox queues and leaves a promise
// in the subtask's pending list, which holds its source back (the pump polls no more until it resolves), as a
// full sink does: what waits in the queue is at most what the last source batch (or local aggregate's flush)
// made. So a channel holds at most CREDITS × MESSAGE_ROWS elements however slow the receiver is (the bound in
// docs/architecture.md, "Parallel subtasks"; test/parallel/backpressure.test.ts).
// Messages to the subtask itself are handed over directly (no copy, no credit).
import type { DataType } from '../../core/data-types.js';
import type { OperatorMetrics } from '../../core/metrics.js';
import type { Distribution } from '../../core/plan.js';
import type { Row, RowKind } from '../../core/row.js';
import { keyGroupOf, keyHash, subtaskOf } from '../key-groups.js';
import type { Processor } from '../processors.js';

/** Data messages in flight per channel before the sender waits. */
export const CREDITS = 8;
/** Elements per data message at most: a larger batch (a Kafka fetch, a local aggregate's partials) goes in several. */
export const MESSAGE_ROWS = 1024;

export type ChannelMessage =
  | { t: 'data'; x: number; rows: unknown[]; kinds: RowKind[] | null }
  | { t: 'wm'; x: number; wm: number }
  | { t: 'idle'; x: number; idle: boolean }
  | { t: 'barrier'; x: number; id: number }
  | { t: 'end'; x: number }
  /** Receiver → sender: `n` more data messages may be sent. */
  | { t: 'credit'; x: number; n: number };

/** How a subtask reaches the other subtasks of its job (never itself). */
export interface PeerLinks {
  post(to: number, m: ChannelMessage): void;
}

/** Which subtask each element of a batch goes to. */
export type Router = (elements: readonly unknown[], parallelism: number) => Int32Array | 'all';

/**
 * The router of a distribution. `key` reads an element's key values: a row's key columns, or the keys of a
 * partial aggregate. No key columns: everything goes to subtask 0 (a global aggregate, as Flink runs it).
 */
export function router(d: Distribution, keyTypes: readonly DataType[], key: (e: any) => unknown[], maxParallelism: number): Router {
  switch (d.kind) {
    case 'hash': {
      if (keyTypes.length === 0) return (els) => new Int32Array(els.length);
      return (els, p) => {
        const to = new Int32Array(els.length);
        for (let i = 0; i < els.length; i++) to[i] = subtaskOf(keyGroupOf(keyHash(key(els[i]), keyTypes), maxParallelism), maxParallelism, p);
        return to;
      };
    }
    case 'rebalance': {
      let next = 0;
      return (els, p) => {
        const to = new Int32Array(els.length);
        for (let i = 0; i < els.length; i++) { to[i] = next; next = (next + 1) % p; }
        return to;
      };
    }
    case 'broadcast': return () => 'all';
    case 'forward': throw new Error('a forward exchange does not cross subtasks');
  }
}

export class Outbox implements Processor {
  private readonly credit: number[];
  private readonly queues: ChannelMessage[][];
  private waiters: (() => void)[] = [];
  private idle = false;
  /** The Inbox of this exchange in this subtask, for what stays here. */
  local: Inbox | null = null;

  constructor(
    private readonly x: number,
    private readonly self: number,
    private readonly parallelism: number,
    private readonly route: Router,
    private readonly links: PeerLinks,
    private readonly pending: Promise<void>[],
    private readonly metrics: OperatorMetrics,
  ) {
    this.credit = new Array(parallelism).fill(CREDITS);
    this.queues = Array.from({ length: parallelism }, () => []);
  }

  process(rows: Row[] | unknown[], kinds: RowKind[] | null): void {
    if (rows.length === 0) return;
    this.metrics.recordsIn += rows.length;
    if (this.idle) this.setIdle(false);
    const to = this.route(rows, this.parallelism);
    if (to === 'all') {
      for (let t = 0; t < this.parallelism; t++) this.sendData(t, rows, kinds);
      return;
    }
    const parts: unknown[][] = Array.from({ length: this.parallelism }, () => []);
    const partKinds: RowKind[][] | null = kinds === null ? null : Array.from({ length: this.parallelism }, () => []);
    for (let i = 0; i < rows.length; i++) {
      parts[to[i]].push(rows[i]);
      if (partKinds !== null) partKinds[to[i]].push(kinds![i]);
    }
    for (let t = 0; t < this.parallelism; t++) {
      if (parts[t].length > 0) this.sendData(t, parts[t], partKinds === null ? null : partKinds[t]);
    }
  }

  private sendData(to: number, rows: unknown[], kinds: RowKind[] | null): void {
    if (rows.length <= MESSAGE_ROWS || to === this.self) { this.send(to, { t: 'data', x: this.x, rows, kinds }); return; }
    for (let i = 0; i < rows.length; i += MESSAGE_ROWS) {
      this.send(to, { t: 'data', x: this.x, rows: rows.slice(i, i + MESSAGE_ROWS), kinds: kinds === null ? null : kinds.slice(i, i + MESSAGE_ROWS) });
    }
  }

  watermark(wm: number): void {
    this.broadcast({ t: 'wm', x: this.x, wm });
  }

  endInput(): void {
    this.broadcast({ t: 'end', x: this.x });
  }

  barrier(id: number): void {
    this.broadcast({ t: 'barrier', x: this.x, id });
  }

  /** Whether everything feeding this exchange here is idle: the receivers leave this channel out of their watermark. */
  setIdle(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    this.broadcast({ t: 'idle', x: this.x, idle });
  }

  onCredit(from: number, n: number): void {
    this.credit[from] += n;
    const q = this.queues[from];
    while (q.length > 0 && (q[0].t !== 'data' || this.credit[from] > 0)) this.post(from, q.shift()!);
    if (this.queues.every((x) => x.length === 0)) this.wake();
  }

  /** Resolves once nothing waits for credit (the end of input has gone out with the rest). */
  drained(): Promise<void> {
    if (this.queues.every((q) => q.length === 0)) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private broadcast(m: ChannelMessage): void {
    for (let t = 0; t < this.parallelism; t++) this.send(t, m);
  }

  private send(to: number, m: ChannelMessage): void {
    if (to === this.self) { this.local!.handle(to, m); return; }
    const q = this.queues[to];
    if (q.length > 0 || (m.t === 'data' && this.credit[to] === 0)) {
      const wasEmpty = this.queues.every((x) => x.length === 0);
      q.push(m);
      if (wasEmpty) this.pending.push(this.drained());
      return;
    }
    this.post(to, m);
  }

  private post(to: number, m: ChannelMessage): void {
    if (m.t === 'data') this.credit[to]--;
    this.links.post(to, m);
  }

  private wake(): void {
    const w = this.waiters.splice(0);
    for (const r of w) r();
  }
}

interface InChannel {
  wm: number;
  idle: boolean;
  ended: boolean;
  /** The barrier this channel brought and waits behind, or null. */
  blocked: number | null;
  queue: ChannelMessage[];
}

export class Inbox {
  readonly outputs: Processor[] = [];
  private readonly channels: InChannel[];
  private current = -Infinity;
  private endedCount = 0;
  private aligning: { id: number; done: () => void } | null = null;
  private resolveEnded!: () => void;
  /** Resolves once every channel has ended (all upstream subtasks ended their input). */
  readonly ended = new Promise<void>((r) => (this.resolveEnded = r));

  constructor(
    private readonly x: number,
    private readonly self: number,
    parallelism: number,
    private readonly links: PeerLinks,
    /** Waits for sinks (and exchanges) behind this one whose buffers are full. */
    private readonly drainPending: () => Promise<void>,
    private readonly hasPending: () => boolean,
    private readonly metrics: OperatorMetrics,
  ) {
    this.channels = Array.from({ length: parallelism }, () => ({ wm: -Infinity, idle: false, ended: false, blocked: null, queue: [] }));
  }

  /** The watermark passed on (the minimum over the active channels). */
  get watermark(): number {
    return this.current;
  }

  /** Every channel that has not ended is idle. */
  get idle(): boolean {
    return this.channels.every((c) => c.ended || c.idle) && this.endedCount < this.channels.length;
  }

  handle(from: number, m: ChannelMessage): void {
    const c = this.channels[from];
    if (c.blocked !== null) { c.queue.push(m); return; }
    switch (m.t) {
      case 'data': {
        this.metrics.recordsOut += m.rows.length;
        for (const o of this.outputs) o.process(m.rows as Row[], m.kinds);
        if (from !== this.self) {
          if (this.hasPending()) void this.drainPending().then(() => this.links.post(from, { t: 'credit', x: this.x, n: 1 }));
          else this.links.post(from, { t: 'credit', x: this.x, n: 1 });
        }
        break;
      }
      case 'wm': if (m.wm > c.wm) { c.wm = m.wm; this.advance(); } break;
      case 'idle': c.idle = m.idle; this.advance(); break;
      case 'barrier': if (!c.ended) { c.blocked = m.id; this.checkAligned(); } break;
      case 'end': {
        if (c.ended) break;
        c.ended = true;
        if (++this.endedCount === this.channels.length) {
          for (const o of this.outputs) o.endInput();
          this.resolveEnded();
        } else this.advance();
        this.checkAligned();
        break;
      }
      case 'credit': throw new Error('a credit message reached an inbox');
    }
  }

  /** Calls `done` once every channel has brought barrier `id` (or ended); its channels stay blocked until unblock(). */
  align(id: number, done: () => void): void {
    this.aligning = { id, done };
    this.checkAligned();
  }

  /** The snapshot is taken: blocked channels go on with what they queued. */
  unblock(): void {
    this.aligning = null;
    this.channels.forEach((c, from) => {
      c.blocked = null;
      const q = c.queue;
      c.queue = [];
      for (const m of q) this.handle(from, m);
    });
  }

  private checkAligned(): void {
    const a = this.aligning;
    if (a === null || !this.channels.every((c) => c.ended || c.blocked === a.id)) return;
    this.aligning = null;
    a.done();
  }

  private advance(): void {
    let min = Infinity;
    let active = 0;
    for (const c of this.channels) {
      if (c.ended || c.idle) continue;
      active++;
      if (c.wm < min) min = c.wm;
    }
    if (active > 0 && min > this.current) {
      this.current = min;
      for (const o of this.outputs) o.watermark(min);
    }
  }
}
