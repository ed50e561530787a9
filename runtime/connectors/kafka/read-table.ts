// Reads a kafka or upsert-kafka sink table back (`sluice reconcile`): the topic from its first record to the
// log end as the topic is now, read_committed (what a downstream consumer sees), with a private consumer
// group so that nothing is committed and no running job's group is joined. upsert-kafka gives the latest
// value per key (tombstones delete it).
import type { TableReadContext } from '../../core/connector.js';
import { readSourceToEnd } from '../../core/read-source.js';
import type { Row } from '../../core/row.js';
import { createKafkaSource } from './source.js';

export async function readKafkaTable(ctx: TableReadContext, upsert: boolean): Promise<Row[]> {
  const options: Record<string, string> = { ...ctx.options, 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset', 'properties.isolation.level': 'read_committed' };
  // A record the format cannot decode is counted (metrics.badRecordsSkipped) and reported, not fatal.
  if (ctx.options['value.format']) options[`value.${ctx.options['value.format']}.ignore-parse-errors`] = 'true';
  else if (ctx.options.format) options[`${ctx.options.format}.ignore-parse-errors`] = 'true';
  for (const k of ['properties.group.id', 'scan.startup.specific-offsets', 'scan.startup.timestamp-millis', 'scan.bounded.specific-offsets', 'scan.bounded.timestamp-millis']) delete options[k];
  const reader = createKafkaSource({ ...ctx, options, fields: ctx.declared }, upsert);
  return readSourceToEnd(reader, upsert ? ctx.primaryKey : null);
}
