// Contexts for driving connectors directly in tests: silent logger, fresh metrics, a never-aborted signal.
import pino from 'pino';
import type { SinkContext, SinkWriter, SourceContext, SourceReader } from '../../runtime/core/connector.js';
import type { Field } from '../../runtime/core/data-types.js';
import { OperatorMetrics } from '../../runtime/core/metrics.js';
import type { Row } from '../../runtime/core/row.js';

const log = pino({ level: 'silent' });

export function sourceContext(declared: Field[], options: Record<string, string>, fields: Field[] = declared, signal = new AbortController().signal): SourceContext {
  return { table: 't', declared, primaryKey: [], options, fields, metrics: new OperatorMetrics('src', 't'), log, signal };
}

export function sinkContext(schema: Field[], options: Record<string, string>): SinkContext {
  return { table: 'out', declared: schema, primaryKey: [], options, schema, changelog: 'insert-only', metrics: new OperatorMetrics('sink', 'out'), log, signal: new AbortController().signal };
}

/** Polls until the source is exhausted (or `limit` rows arrived), returning the rows and the batches' splits. */
export async function drain(reader: SourceReader, limit = Infinity): Promise<{ rows: Row[]; splits: string[] }> {
  const rows: Row[] = [];
  const splits: string[] = [];
  while (rows.length < limit) {
    const batch = await reader.poll();
    if (batch === null) break;
    rows.push(...batch.rows);
    if (batch.rows.length > 0) splits.push(batch.split);
  }
  return { rows, splits };
}

export async function writeAll(writer: SinkWriter, rows: Row[], batchSize = 100): Promise<void> {
  for (let i = 0; i < rows.length; i += batchSize) await writer.write({ rows: rows.slice(i, i + batchSize), kinds: null });
}
