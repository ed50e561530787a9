// The rows of the time-bounded joins (interval, window and temporal joins): output rows built from a left and a
// right row, either of which may be missing (padded with NULLs), and the copies of input rows they keep in state
// (only the columns the join reads or passes on).
import { rowBuilder, type Row, type RowBuilder } from '../core/row.js';

export class JoinRows {
  private readonly build: RowBuilder;
  private readonly values: unknown[];

  /** `fields`: each input's columns, in output order; `names`: the output's column names. */
  constructor(private readonly fields: [readonly string[], readonly string[]], names: readonly string[]) {
    this.build = rowBuilder(names);
    this.values = new Array(names.length);
  }

  /** The output row of a left and a right row (null: NULL padding). */
  joined(left: Row | null, right: Row | null): Row {
    const [lf, rf] = this.fields;
    const v = this.values;
    for (let i = 0; i < lf.length; i++) v[i] = left === null ? null : (left[lf[i]] ?? null);
    for (let i = 0; i < rf.length; i++) v[lf.length + i] = right === null ? null : (right[rf[i]] ?? null);
    return this.build(v);
  }

  /** A copy of an input row with the side's columns only, to keep in state. */
  kept(row: Row, side: 0 | 1): Row {
    const out: Row = {};
    for (const f of this.fields[side]) out[f] = row[f] ?? null;
    return out;
  }
}
