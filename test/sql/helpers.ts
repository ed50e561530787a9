// Helpers for the SQL frontend tests: where a piece of text is in a fixture file (so expected locations
// are computed, not hard-coded), and the CompileError a call throws.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CompileError } from '../../compiler/ir/diagnostics.js';
import type { Table } from '../../compiler/api/index.js';
import { typeToString } from '../../runtime/core/data-types.js';
import type { Expr } from '../../runtime/core/expr.js';
import { inputsOf, type PlanNode, type SourceLoc } from '../../runtime/core/plan.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The 1-based line and column of the `occurrence`-th appearance of `needle` in a fixture file. */
export function fixtureLoc(file: string, needle: string, occurrence = 0): SourceLoc {
  const full = path.join(FIXTURES, file);
  const text = fs.readFileSync(full, 'utf8');
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (#${occurrence}) not found in ${file}`);
  }
  const before = text.slice(0, at).split('\n');
  return { file: full, line: before.length, col: before[before.length - 1].length + 1 };
}

/** The CompileError `fn` throws (fails the test if it throws anything else, or nothing). */
export function compileError(fn: () => unknown): CompileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  expect.fail('expected a CompileError');
}

/** The plan nodes a table is computed from, inputs first (a depth-first walk from the table's node). */
export function planOf(table: Table): PlanNode[] {
  const seen = new Map<string, PlanNode>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    const node = table.env.plan.node(id);
    inputsOf(node).forEach(visit);
    seen.set(id, node);
  };
  visit(table.node.id);
  return [...seen.values()];
}

/** Column names and SQL types, as `name TYPE` strings. */
export const schemaOf = (table: Table) => table.getSchema().map((f) => `${f.name} ${typeToString(f.type)}`);

/** A resolved expression as compact text: `gt(amount, 10)`. */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'field': return e.name;
    case 'literal': return JSON.stringify(e.value);
    case 'call': return `${e.fn === 'cast' ? `cast<${typeToString(e.type)}>` : e.fn}(${e.args.map(exprText).join(', ')})`;
    case 'udf': return `${e.name}(${e.args.map(exprText).join(', ')})`;
  }
}

/** The projections of a calc node as `name = expr` and its filter. */
export function calcText(node: PlanNode): { projections: string[]; filter: string | null } {
  if (node.kind !== 'calc') throw new Error(`${node.id} is a ${node.kind}, not a calc`);
  return { projections: node.projections.map((p) => `${p.name} = ${exprText(p.expr)}`), filter: node.filter && exprText(node.filter) };
}
