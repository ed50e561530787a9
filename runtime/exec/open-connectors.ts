// Opens a plan's source and sink nodes through the connector registry, restored from a snapshot's part.
import type { LookupSource, SinkWriter, SourceReader, SubtaskInfo } from '../core/connector.js';
import { UserError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { OperatorMetrics } from '../core/metrics.js';
import type { ChangelogMode } from '../core/row.js';
import type { LookupJoinNode, SinkNode, SourceNode } from '../core/plan.js';
import { findConnector } from '../connectors/registry.js';

export interface OpenContext {
  log: Logger;
  signal: AbortSignal;
  /** The parallel instance being opened (absent: the only one). */
  subtask?: SubtaskInfo;
}

async function load(connectorName: string, table: string) {
  const connector = findConnector(connectorName);
  if (!connector) throw new UserError(`table '${table}': unknown connector '${connectorName}'`);
  return connector.load();
}

export async function openSource(n: SourceNode, restored: unknown, metrics: OperatorMetrics, ctx: OpenContext): Promise<SourceReader> {
  const impl = await load(n.connector, n.table);
  if (!impl.createSource) throw new UserError(`connector '${n.connector}' cannot be a source (table '${n.table}')`);
  const reader = impl.createSource({
    table: n.table, declared: n.declared, fields: n.physical, primaryKey: n.upsertKey ?? [], options: n.options,
    metrics, log: ctx.log.child({ table: n.table }), signal: ctx.signal, ...(ctx.subtask ? { subtask: ctx.subtask } : {}),
  });
  await reader.open(restored);
  return reader;
}

export async function openSink(n: SinkNode, inputChangelog: ChangelogMode, restored: unknown, metrics: OperatorMetrics, ctx: OpenContext): Promise<SinkWriter> {
  const impl = await load(n.connector, n.table);
  if (!impl.createSink) throw new UserError(`connector '${n.connector}' cannot be a sink (table '${n.table}')`);
  const writer = impl.createSink({
    table: n.table, declared: n.schema, schema: n.schema, primaryKey: n.primaryKey, options: n.options,
    changelog: inputChangelog, metrics, log: ctx.log.child({ table: n.table }), signal: ctx.signal, ...(ctx.subtask ? { subtask: ctx.subtask } : {}),
  });
  await writer.open(restored);
  return writer;
}

export async function openLookup(n: LookupJoinNode, metrics: OperatorMetrics, ctx: OpenContext): Promise<LookupSource> {
  const impl = await load(n.connector, n.table);
  if (!impl.createLookup) throw new UserError(`connector '${n.connector}' cannot be looked up (table '${n.table}')`);
  const source = impl.createLookup({
    table: n.table, declared: n.lookupFields, primaryKey: [], options: n.options, keys: n.keys.map((k) => k.lookup), fields: n.lookupFields,
    metrics, log: ctx.log.child({ table: n.table }), signal: ctx.signal,
  });
  await source.open();
  return source;
}
