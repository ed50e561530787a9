// Tables and views a job declares: the CREATE TABLE definitions (from SQL DDL) and temporary views.
import type { Field } from '../../runtime/core/data-types.js';
import type { SourceLoc } from '../../runtime/core/plan.js';
import type { LExpr } from './logical-expr.js';

export type ColumnDef =
  | { kind: 'physical'; name: string; type: Field['type']; loc?: SourceLoc }
  | { kind: 'computed'; name: string; expr: LExpr; loc?: SourceLoc }
  | { kind: 'proctime'; name: string; loc?: SourceLoc };

export interface TableDef {
  name: string;
  /** In declared order. */
  columns: ColumnDef[];
  watermark: { column: string; delayMs: number; loc?: SourceLoc } | null;
  primaryKey: string[];
  options: Record<string, string>;
  loc?: SourceLoc;
  /** Where each option key was written, for errors about it. */
  optionLocs?: Record<string, SourceLoc>;
}
