// Reads an elasticsearch-7 sink table back (`sluice reconcile`): every document of the index, its fields
// converted from the JSON the sink wrote back to sluice's representation (timestamps as epoch millis).
import type { TableReadContext } from '../../core/connector.js';
import type { Row } from '../../core/row.js';
import { coerceJsonValue } from '../../core/values.js';
import { createBulkClient } from './client.js';
import { elasticsearchSettings } from './options.js';

export async function readElasticsearchTable(ctx: TableReadContext): Promise<Row[]> {
  const s = elasticsearchSettings(ctx);
  const client = createBulkClient({ hosts: s.hosts, pathPrefix: s.pathPrefix, username: s.username, password: s.password, requestTimeoutMs: 30_000 });
  try {
    const docs = await client.documents(s.index);
    return docs.map((d) => Object.fromEntries(ctx.declared.map((f) => [f.name, coerceJsonValue(d.source[f.name], f.type)])));
  } finally {
    await client.close();
  }
}
