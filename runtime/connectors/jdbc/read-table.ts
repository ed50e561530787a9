// Reads a jdbc sink table back (`sluice reconcile`): every row of the MySQL table, the declared columns
// only, with values converted to sluice's representation (timestamps as epoch millis, as the sink's UTC
// session wrote them). Identifiers are quoted; nothing from the data is put into the statement.
import type { TableReadContext } from '../../core/connector.js';
import { UserError } from '../../core/errors.js';
import type { Row } from '../../core/row.js';
import { coerceJsonValue } from '../../core/values.js';
import { createSqlClient } from './client.js';
import { jdbcSettings } from './options.js';
import { quoteIdentifier } from './sql.js';
import { parseJdbcUrl } from './url.js';

export async function readJdbcTable(ctx: TableReadContext): Promise<Row[]> {
  const target = parseJdbcUrl(ctx.options.url ?? '');
  if ('error' in target) throw new UserError(`table '${ctx.table}': invalid option 'url': ${target.error}`);
  const settings = jdbcSettings(ctx);
  const client = createSqlClient({
    host: target.host, port: target.port, database: target.database,
    user: settings.username ?? target.user, password: settings.password ?? target.password, connectTimeoutMs: 10_000,
  });
  try {
    const conn = await client.connect();
    try {
      const columns = ctx.declared.map((f) => quoteIdentifier(f.name)).join(', ');
      const found = await conn.query(`SELECT ${columns} FROM ${quoteIdentifier(settings.tableName)}`);
      return found.map((r) => Object.fromEntries(ctx.declared.map((f) => [f.name, coerceJsonValue(r[f.name], f.type)])));
    } finally {
      conn.release();
    }
  } finally {
    await client.end();
  }
}
