// "The cluster's tables" for the SQL page: every source table of the jobs and uploaded bundles the
// jobmanager knows, written back as Flink DDL from their plans (latest definition of a name wins). Computed
// columns are kept when they are references, literals (DATE/TIME/TIMESTAMP too), casts, arithmetic and
// TIMESTAMPADD/TIMESTAMPDIFF; others are left out with a comment (and a watermark on such a column with them).
import { plainType, typeToString, type DataType } from '../core/data-types.js';
import type { Expr } from '../core/expr.js';
import type { JobPlan, SourceNode } from '../core/plan.js';

const quote = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlType = (t: DataType) => typeToString({ ...plainType(t), timeAttribute: undefined });

const INFIX: Partial<Record<string, string>> = { plus: '+', minus: '-', times: '*', divide: '/', mod: '%' };
/** Functions written back as NAME(UNIT, args...): their first argument is a time unit keyword, not a string. */
const UNIT_FIRST: Partial<Record<string, string>> = { timestampAdd: 'TIMESTAMPADD', timestampDiff: 'TIMESTAMPDIFF' };

/** A DATE, TIME or TIMESTAMP literal (epoch milliseconds, UTC) as SQL writes it. */
function temporalLiteral(type: string, ms: number): string | null {
  const iso = new Date(ms).toISOString(); // 2024-01-31T12:00:00.123Z
  if (type === 'DATE') return `DATE '${iso.slice(0, 10)}'`;
  if (type === 'TIME') return `TIME '${iso.slice(11, 23)}'`;
  if (type === 'TIMESTAMP') return `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 23)}'`;
  return null;
}

/** A computed column's expression as SQL, when it is one this page can write back; null otherwise. */
function exprSql(e: Expr): string | null {
  switch (e.kind) {
    case 'field': return quote(e.name);
    case 'literal':
      if (e.value === null) return 'NULL';
      if (typeof e.value === 'number' && ['DATE', 'TIME', 'TIMESTAMP'].includes(e.type.name)) return temporalLiteral(e.type.name, e.value);
      return typeof e.value === 'string' ? literal(e.value) : typeof e.value === 'boolean' ? String(e.value).toUpperCase() : String(e.value);
    case 'call': {
      const unitFirst = UNIT_FIRST[e.fn];
      const unit = e.args[0];
      if (unitFirst && unit?.kind === 'literal' && typeof unit.value === 'string' && /^[A-Z_]+$/.test(unit.value)) {
        const rest = e.args.slice(1).map(exprSql);
        return rest.some((a) => a === null) ? null : `${unitFirst}(${[unit.value, ...rest].join(', ')})`;
      }
      const args = e.args.map(exprSql);
      if (args.some((a) => a === null)) return null;
      if (e.fn === 'cast' && args.length === 1) return `CAST(${args[0]} AS ${sqlType(e.type)})`;
      const op = INFIX[e.fn];
      if (op && args.length === 2) return `(${args[0]} ${op} ${args[1]})`;
      if (e.fn === 'negate' && args.length === 1) return `-(${args[0]})`;
      return null;
    }
    case 'udf': return null;
  }
}

function tableDdl(n: SourceNode): string {
  const lines: string[] = n.declared.map((f) => `  ${quote(f.name)} ${sqlType(f.type)}`);
  const leftOut = new Set<string>();
  for (const c of n.computed) {
    const sql = exprSql(c.expr);
    if (sql === null) leftOut.add(c.name);
    lines.push(sql === null ? `  -- computed column ${quote(c.name)} left out: its expression cannot be written back here` : `  ${quote(c.name)} AS ${sql}`);
  }
  if (n.proctime) lines.push(`  ${quote(n.proctime)} AS PROCTIME()`);
  if (n.watermark && leftOut.has(n.watermark.column)) lines.push(`  -- the watermark on ${quote(n.watermark.column)} left out with its column`);
  else if (n.watermark) lines.push(`  WATERMARK FOR ${quote(n.watermark.column)} AS ${quote(n.watermark.column)} - INTERVAL '${n.watermark.delayMs / 1000}' SECOND`);
  // A column line is followed by a comma unless it is the last one that is not a comment.
  const last = lines.map((l) => !l.trimStart().startsWith('--')).lastIndexOf(true);
  const body = lines.map((l, i) => (i < last && !l.trimStart().startsWith('--') ? `${l},` : l)).join('\n');
  const options = Object.entries(n.options).map(([k, v]) => `  ${literal(k)} = ${literal(v)}`).join(',\n');
  return `CREATE TABLE ${quote(n.table)} (\n${body}\n) WITH (\n${options}\n);`;
}

/** The source tables of these plans (later plans override earlier ones of the same name), as DDL. */
export function clusterTables(plans: JobPlan[]): { tables: string[]; ddl: string } {
  const byName = new Map<string, SourceNode>();
  for (const plan of plans) {
    for (const n of plan.nodes) if (n.kind === 'source') byName.set(n.table, n);
  }
  const names = [...byName.keys()].sort();
  return { tables: names, ddl: names.map((name) => tableDdl(byName.get(name)!)).join('\n\n') };
}
