// The rows of the joins: output rows built from a left and a right row, either of which may be missing
// (padded with NULLs) or kept as values in a flat array (a regular join's insert-only side, state/flat-join-state.ts),
// and the copies of input rows the time-bounded joins keep in state (only the columns the join reads or passes on).
// Each shape is one generated function with one object literal (as rowBuilder does): filling an array of values
// and building from it cost a stream–dimension join a tenth of its time (bench/README.md).
import { literalKey, type Row } from '../core/row.js';
import type { FlatLayout } from '../state/flat-join-state.js';

/** An output row of an input row and a row of the other side kept at `at` in a flat array of values. */
export type FlatPair = (row: Row, values: readonly unknown[], at: number) => Row;

const read = (name: string) => `[${JSON.stringify(name)}] ?? null`;

export class JoinRows {
  /** The output row of a left and a right row (null: NULL padding). */
  readonly joined: (left: Row | null, right: Row | null) => Row;
  /** A left row (input) with a right row kept flat; a right row (input) with a left row kept flat. */
  readonly leftWithFlat: FlatPair;
  readonly rightWithFlat: FlatPair;
  private readonly keepers: [(row: Row) => Row, (row: Row) => Row];

  /**
   * `fields`: each input's columns, in output order; `names`: the output's column names; `layouts`: where a side
   * kept flat has its columns (state/flat-join-state.ts flatLayouts).
   */
  constructor(fields: [readonly string[], readonly string[]], names: readonly string[], layouts: [FlatLayout, FlatLayout] = [fields[0].map((_, i) => i), fields[1].map((_, i) => i)]) {
    const [lf, rf] = fields;
    const out = (values: string[]) => `({ ${values.map((v, i) => `${literalKey(names[i])}: ${v}`).join(', ')} })`;
    const fromRow = (v: string, fs: readonly string[]) => fs.map((f) => `${v}${read(f)}`);
    // A column kept flat, or (its key) the input row's key column.
    const fromFlat = (layout: FlatLayout, input: string) => layout.map((at) => (typeof at === 'number' ? `a[o + ${at}]` : `${input}${read(at)}`));
    const nulls = (fs: readonly string[]) => fs.map(() => 'null');
    this.joined = new Function('l', 'r', `return l === null ? ${out([...nulls(lf), ...fromRow('r', rf)])} : r === null ? ${out([...fromRow('l', lf), ...nulls(rf)])} : ${out([...fromRow('l', lf), ...fromRow('r', rf)])};`) as JoinRows['joined'];
    this.leftWithFlat = new Function('l', 'a', 'o', `return ${out([...fromRow('l', lf), ...fromFlat(layouts[1], 'l')])};`) as FlatPair;
    this.rightWithFlat = new Function('r', 'a', 'o', `return ${out([...fromFlat(layouts[0], 'r'), ...fromRow('r', rf)])};`) as FlatPair;
    const keeper = (fs: readonly string[]) => new Function('r', `return { ${fs.map((f) => `${literalKey(f)}: r${read(f)}`).join(', ')} };`) as (row: Row) => Row;
    this.keepers = [keeper(lf), keeper(rf)];
  }

  /** A copy of an input row with the side's columns only, to keep in state. */
  kept(row: Row, side: 0 | 1): Row {
    return this.keepers[side](row);
  }
}
