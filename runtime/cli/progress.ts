// Progress of commands that take seconds (compile, run -d, a foreground run's start), for people: on a
// terminal, one line on stderr rewritten at each step ("compiling jobs/x.ts: type-checking ...") and
// replaced by a summary when done. When stderr is not a terminal (piped, a file, CI) it writes nothing, so
// piped output never holds carriage returns or half lines.
export type Stream = NodeJS.WritableStream & { isTTY?: boolean };

export class Progress {
  private readonly started = performance.now();
  private shown = false;

  constructor(private readonly label: string, private readonly out: Stream = process.stderr) {}

  /** The current step; on a terminal it replaces the previous one. */
  readonly step = (what: string): void => {
    if (!this.out.isTTY) return;
    this.out.write(`\r\x1b[K${this.label}: ${what} ...`);
    this.shown = true;
  };

  /** Ends the line: with `summary` (followed by the elapsed seconds) or, without one, erased. */
  done(summary?: string): void {
    if (!this.out.isTTY) return;
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    this.out.write(`${this.shown ? '\r\x1b[K' : ''}${summary ? `${summary} (${seconds} s)\n` : ''}`);
    this.shown = false;
  }

  /** A step that failed: the line is erased, so the error that follows starts on a clean line. */
  fail(): void {
    if (this.out.isTTY && this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}

/** Runs `f` with a progress line; the line is erased when `f` fails, so its error reads cleanly. */
export async function withProgress<T>(label: string, f: (p: Progress) => Promise<T>, summary?: (r: T) => string): Promise<T> {
  const p = new Progress(label);
  try {
    const r = await f(p);
    p.done(summary?.(r));
    return r;
  } catch (e) {
    p.fail();
    throw e;
  }
}
