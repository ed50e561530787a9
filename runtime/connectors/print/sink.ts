// The print sink writer: one line per row, 'identifier> +I[v1, v2]' (Flink's PrintSinkOutputWriter prefix and
// Row.toString), one write per batch. A full stdout pipe holds the job back until it drains (backpressure).
// Tests redirect the output with redirectPrint().
import type { SinkContext, SinkWriter } from '../../core/connector.js';
import { kindOf, ROW_KIND_SHORT, type Batch } from '../../core/row.js';
import { changelogText } from '../../core/output-sample.js';
import { printSettings } from './options.js';

export type PrintStream = 'stdout' | 'stderr';

/** Where printed text goes; returns false when the destination wants the writer to wait for 'drain'. */
type Destination = (text: string, stream: PrintStream) => boolean;

const processDestination: Destination = (text, stream) => process[stream].write(text);
let destination: Destination = processDestination;

/** Sends print output to `capture` instead of the process streams; null restores them. For tests. */
export function redirectPrint(capture: ((text: string, stream: PrintStream) => void) | null): void {
  destination = capture === null ? processDestination : (text, stream) => { capture(text, stream); return true; };
}

export function createSink(ctx: SinkContext): SinkWriter {
  const settings = printSettings(ctx);
  const stream: PrintStream = settings.stream;
  // Flink's PrintSinkOutputWriter: 'identifier> ', and at parallelism > 1 'identifier:i> ' (i the subtask index + 1).
  let prefix = settings.identifier;
  if (ctx.subtask && ctx.subtask.parallelism > 1) prefix += (prefix === '' ? '' : ':') + (ctx.subtask.index + 1);
  if (prefix !== '') prefix += '> ';
  const fields = ctx.schema;
  // One wait for 'drain' however many batches come while the stream is full (each may: a subtask's inbox takes
  // what is in flight), not a listener per batch.
  let draining: Promise<void> | null = null;

  return {
    async open() {},
    write(batch: Batch) {
      let text = '';
      for (let i = 0; i < batch.rows.length; i++) {
        text += prefix + changelogText(ROW_KIND_SHORT[kindOf(batch, i)], batch.rows[i], fields) + '\n';
      }
      if (text === '' || destination(text, stream)) return draining ?? undefined;
      return (draining ??= new Promise<void>((resolve) => process[stream].once('drain', () => { draining = null; resolve(); })));
    },
    async flush() {},
    async close() {},
  };
}
