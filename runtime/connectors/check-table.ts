// The one check of a table against its connector, read from the connector's declarations: the compiler runs
// it on the DDL (compiler/passes/validate-connectors.ts, validate-changelog.ts) and the runtime on the options
// changed by `--set` (runtime/exec/apply-overrides.ts), so both reject the same table with the same message.
import type { Connector, ConnectorRole, TableInfo } from '../core/connector.js';
import { nearest, validateOptions } from '../core/options.js';
import type { ChangelogMode } from '../core/row.js';
import { CHANGELOG_FORMATS } from '../formats/format-options.js';
import { connectors, findConnector } from './registry.js';

/** Why a table cannot be used; `option` names the WITH key (or 'connector', 'PRIMARY KEY') to point at. */
export interface TableProblem {
  option: string;
  message: string;
  hint?: string;
}

const names = () => [...connectors.keys()].join(', ');

/** The connector named by a table, able to play the role; or the problem, naming the alternatives. */
export function connectorFor(table: string, name: string, role: ConnectorRole): Connector | TableProblem {
  if (!name) return { option: 'connector', message: `table '${table}' has no 'connector' option`, hint: `add WITH ('connector' = '...'); available: ${names()}` };
  const c = findConnector(name);
  if (!c) {
    const near = nearest(name, [...connectors.keys()]);
    return { option: 'connector', message: `table '${table}': unknown connector '${name}'`, hint: near ? `did you mean '${near}'? available: ${names()}` : `available connectors: ${names()}` };
  }
  if (!c.roles.includes(role)) {
    return { option: 'connector', message: `table '${table}': connector '${name}' cannot be used as a ${role}`,
      hint: `connectors that can: ${[...connectors.values()].filter((x) => x.roles.includes(role)).map((x) => x.name).join(', ')}` };
  }
  return c;
}

export const isProblem = (v: Connector | TableProblem): v is TableProblem => !('load' in v);

/** The first problem of the table's options (each against the schema, then the connector's checks across options). */
export function optionProblem(c: Connector, table: TableInfo, role: ConnectorRole): TableProblem | null {
  const p = [...validateOptions(c.options, table.options), ...(c.validate?.(table, role) ?? [])][0];
  return p ? { option: p.option, message: `table '${table.table}' (connector '${c.name}'): ${p.message}`, hint: p.hint } : null;
}

/** The changelog a source table of this connector, with these options, produces. */
export const producedChangelog = (c: Connector, options: Record<string, string>): ChangelogMode =>
  c.changelogWith?.(options)?.produces ?? c.produces ?? 'insert-only';

/** What a sink table of this connector, with these options, accepts. */
export const sinkAccepts = (c: Connector, options: Record<string, string>): Connector['sinkAccepts'] =>
  c.changelogWith?.(options)?.sinkAccepts ?? c.sinkAccepts;

/** Whether a sink of this connector can take the changelog its input produces, by its declarations. */
export function sinkChangelogProblem(c: Connector, sink: { table: string; primaryKey: string[]; options: Record<string, string> }, input: { changelog: ChangelogMode; upsertKey?: string[] | null }): TableProblem | null {
  if (input.changelog === 'insert-only') return null;
  if (sinkAccepts(c, sink.options) === 'insert-only') {
    const keyed = [...connectors.values()].filter((x) => x.roles.includes('sink') && x.sinkAccepts === 'upsert' && (x.primaryKey ?? 'never') !== 'never');
    return { option: 'connector',
      message: `table sink '${sink.table}' (connector '${c.name}') only accepts inserts, but the query produces updates (a non-windowed groupBy)`,
      hint: `write it to a sink that takes updates (${keyed.map((x) => x.name).join(', ')}) with a PRIMARY KEY${c.changelogWith ? `, or in a changelog format (${CHANGELOG_FORMATS.join(', ')})` : ''}, or use a window aggregate (Tumble) whose results are final` };
  }
  if ((c.primaryKey ?? 'never') !== 'never' && sink.primaryKey.length === 0) {
    return { option: 'PRIMARY KEY', message: `table sink '${sink.table}' receives updates but declares no primary key`,
      hint: `add PRIMARY KEY (${(input.upsertKey ?? []).join(', ') || '...'}) NOT ENFORCED to its DDL` };
  }
  return null;
}
