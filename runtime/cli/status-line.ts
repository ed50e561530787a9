// The live status line of a foreground run (`sluice run`, `npm start`, `node bundle.mjs`) on a terminal:
// records read and written, the read rate, the sources' watermark and the last checkpoint, redrawn every
// second on stderr. A line the job writes meanwhile (print's rows on stdout, a log line on stderr) erases it
// first and it is drawn again below, so nothing is garbled. When stderr is not a terminal (piped, a file, CI)
// there is no status line at all.
import type { JobPlan } from '../core/plan.js';
import { formatTimestamp } from '../core/values.js';
import type { JobRunner } from '../exec/job-runner.js';

type Write = typeof process.stdout.write;
export interface LastCheckpoint { id: number; at: number }

export interface StatusSource {
  readonly plan: JobPlan;
  readonly runner: Pick<JobRunner, 'metrics' | 'watermarks'>;
  lastCheckpoint?: () => LastCheckpoint | null;
}

/** The status text at `now`; `prev` is the previous sample, for the rate. */
export function statusText(src: StatusSource, now: number, started: number, prev: { at: number; read: number } | null): { text: string; read: number } {
  const ops = src.runner.metrics.operators;
  let read = 0;
  let written = 0;
  for (const n of src.plan.nodes) {
    if (n.kind === 'source') read += ops.get(n.id)?.recordsOut ?? 0;
    if (n.kind === 'sink') written += ops.get(n.id)?.recordsIn ?? 0;
  }
  const parts = [`running ${clock(now - started)}`, `in ${read.toLocaleString('en-US')}`];
  if (prev && now > prev.at) parts.push(`${Math.round(((read - prev.read) * 1000) / (now - prev.at)).toLocaleString('en-US')}/s`);
  parts.push(`out ${written.toLocaleString('en-US')}`);
  const marks = [...src.runner.watermarks.values()];
  if (marks.length) parts.push(`watermark ${formatTimestamp(Math.min(...marks))}`);
  if (src.lastCheckpoint) {
    const c = src.lastCheckpoint();
    parts.push(c ? `checkpoint ${c.id} ${Math.round((now - c.at) / 1000)} s ago` : 'no checkpoint yet');
  }
  return { text: parts.join(' · '), read };
}

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export class StatusLine {
  private shown = '';
  private timer: NodeJS.Timeout | null = null;
  private readonly restore: (() => void)[] = [];
  private prev: { at: number; read: number } | null = null;
  private readonly started = Date.now();
  private readonly errWrite: Write;

  /** Starts one when stderr is a terminal; null otherwise. */
  static start(src: StatusSource, err: NodeJS.WriteStream = process.stderr, out: NodeJS.WriteStream = process.stdout): StatusLine | null {
    return err.isTTY ? new StatusLine(src, err, out) : null;
  }

  private constructor(private readonly src: StatusSource, private readonly err: NodeJS.WriteStream, out: NodeJS.WriteStream) {
    this.errWrite = err.write.bind(err) as Write;
    this.wrap(err);
    // stdout shares the terminal only when it is one; piped (`npm start | tee`), its lines go elsewhere.
    if (out.isTTY) this.wrap(out);
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  /** Writes to the stream erase the status line first and draw it again after them. */
  private wrap(stream: NodeJS.WriteStream): void {
    const original = stream.write;
    const bound = original.bind(stream) as Write;
    stream.write = ((...args: Parameters<Write>) => {
      const shown = this.shown;
      if (shown) this.errWrite('\r\x1b[K');
      this.shown = '';
      const r = bound(...args);
      if (shown) this.paint(shown);
      return r;
    }) as Write;
    this.restore.push(() => { stream.write = original; });
  }

  private paint(text: string): void {
    const width = Math.max(20, (this.err.columns || 100) - 1);
    this.shown = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.errWrite(this.shown);
  }

  private draw(): void {
    const now = Date.now();
    const { text, read } = statusText(this.src, now, this.started, this.prev);
    this.prev = { at: now, read };
    if (this.shown) this.errWrite('\r\x1b[K');
    this.paint(text);
  }

  /** Erases the line and gives the streams back. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.shown) this.errWrite('\r\x1b[K');
    this.shown = '';
    for (const r of this.restore.reverse()) r();
  }
}
