// A bounded sample of what one sink writes, for the dashboard's live output tail (GET /jobs/:jobid/output-sample).
// On the hot path it only keeps references to the tail of each written batch (rows are never changed after an
// operator emits them, see SinkWriter.write): no row copy, no formatting, and only a batch's last rows are held
// (holding the whole batch kept thousands of rows alive through every young-generation collection, which made
// each one slower: issue 12's benchmark). A heartbeat takes the rows written
// since the last one (at most `capacity`) as changelog text, Row.toString as Flink's print sink shows it.
import type { Field } from './data-types.js';
import { javaString } from './java-strings.js';
import { kindOf, ROW_KIND_SHORT, type Batch, type Row } from './row.js';

/** One row as Flink's print sink writes it (without an identifier): '+I[v1, v2]'. */
export function changelogText(kind: string, row: Row, fields: readonly Field[]): string {
  let line = kind + '[';
  for (let c = 0; c < fields.length; c++) line += (c > 0 ? ', ' : '') + javaString(row[fields[c].name], fields[c].type);
  return line + ']';
}

export const OUTPUT_SAMPLE_ROWS = 50;
/** A sampled row's text is cut to this many characters: a sample shows rows, it does not carry large values. */
export const OUTPUT_SAMPLE_TEXT = 2000;


export class OutputSample {
  /** Batch tails (the last rows of each batch, at most `capacity`), oldest first. */
  private slices: Batch[] = [];
  private held = 0;
  /** Rows written in all, and up to which count a report took them. */
  private written = 0;
  private reported = 0;
  /** Rows formatted elsewhere (parallel subtasks', in their threads), per subtask, newest last, at most `capacity` each. */
  private readonly formatted = new Map<number, string[]>();

  constructor(private readonly fields: readonly Field[], private readonly capacity = OUTPUT_SAMPLE_ROWS) {}

  /** Called per written batch: references to its last rows, dropping older tails the new ones cover. */
  add(batch: Batch): void {
    const n = batch.rows.length;
    if (n === 0) return;
    this.written += n;
    const from = Math.max(0, n - this.capacity);
    const tail: Batch = from === 0 ? batch : { rows: batch.rows.slice(from), kinds: batch.kinds && batch.kinds.slice(from) };
    this.slices.push(tail);
    this.held += tail.rows.length;
    while (this.held - this.slices[0].rows.length >= this.capacity) this.held -= this.slices.shift()!.rows.length;
  }

  /**
   * Rows parallel subtask `subtask`'s own sample took, as text (exec/parallel/parallel-runner.ts gathers them
   * from the subtasks' reports): the next take() returns them after this sample's own rows.
   */
  append(lines: readonly string[], subtask: number): void {
    if (lines.length === 0) return;
    const held = this.formatted.get(subtask) ?? [];
    held.push(...lines);
    if (held.length > this.capacity) held.splice(0, held.length - this.capacity);
    this.formatted.set(subtask, held);
  }

  /** The rows written since the last call (the newest `capacity` of them at most), oldest first, as text. */
  take(): string[] {
    const own = this.takeOwn();
    if (this.formatted.size === 0) return own;
    // Each source gets an equal share: with one common tail, the subtask whose report came last would push
    // every other subtask's rows out of every sample (its keys alone would ever show).
    const sources = [own, ...this.formatted.values()].filter((lines) => lines.length > 0);
    const share = Math.max(1, Math.floor(this.capacity / sources.length));
    this.formatted.clear();
    return sources.flatMap((lines) => lines.slice(-share)).slice(-this.capacity);
  }

  private takeOwn(): string[] {
    const fresh = Math.min(this.written - this.reported, this.held, this.capacity);
    this.reported = this.written;
    if (fresh === 0) return [];
    const lines: string[] = [];
    let skip = this.held - fresh;
    for (const batch of this.slices) {
      for (let i = 0; i < batch.rows.length; i++) {
        if (skip > 0) { skip--; continue; }
        const text = changelogText(ROW_KIND_SHORT[kindOf(batch, i)], batch.rows[i], this.fields);
        lines.push(text.length > OUTPUT_SAMPLE_TEXT ? text.slice(0, OUTPUT_SAMPLE_TEXT - 1) + '…' : text);
      }
    }
    return lines;
  }
}
