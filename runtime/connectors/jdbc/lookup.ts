// The jdbc lookup source of lookup joins: the rows of a MySQL / MariaDB table whose key columns equal given
// values. All keys of a batch go in few statements: each key's SELECT, tagged with its position, joined by
// UNION ALL (up to KEYS_PER_STATEMENT per statement, the statements on the pool's connections side by side),
// so each key is compared by the database exactly as Flink's one-statement-per-key lookup compares it
// (collation included) without a round trip per key. Identifiers are quoted and values bound to ? placeholders.
// A failed statement is retried `lookup.max-retries` times, a second more between attempts, as Flink's
// JdbcRowDataLookupFunction does; then the job fails with the database's error.
import type { LookupContext, LookupSource } from '../../core/connector.js';
import { UserError } from '../../core/errors.js';
import type { Row } from '../../core/row.js';
import { coerceJsonValue } from '../../core/values.js';
import { createSqlClient } from './client.js';
import { jdbcSettings, lookupMaxRetries } from './options.js';
import { quoteIdentifier, sqlValueOf } from './sql.js';
import { parseJdbcUrl } from './url.js';

const KEYS_PER_STATEMENT = 100;
/** The tag column: which key of the statement a row answers. */
const TAG = '__sluice_lookup_key';

export function createJdbcLookup(ctx: LookupContext): LookupSource {
  const target = parseJdbcUrl(ctx.options.url ?? '');
  if ('error' in target) throw new UserError(`table '${ctx.table}': invalid option 'url': ${target.error}`);
  const settings = jdbcSettings(ctx);
  const maxRetries = lookupMaxRetries(ctx.options);
  const client = createSqlClient({
    host: target.host, port: target.port, database: target.database,
    user: settings.username ?? target.user, password: settings.password ?? target.password, connectTimeoutMs: 10_000,
  });
  const select = `${ctx.fields.map((f) => quoteIdentifier(f.name)).join(', ')} FROM ${quoteIdentifier(settings.tableName)} WHERE ${ctx.keys.map((k) => `${quoteIdentifier(k)} = ?`).join(' AND ')}`;
  const param = ctx.keys.map((k) => sqlValueOf(ctx.declared.find((f) => f.name === k)!.type));
  const statements = new Map<number, string>();
  const statement = (n: number) => {
    let s = statements.get(n);
    if (s === undefined) statements.set(n, (s = Array.from({ length: n }, (_, i) => `SELECT ${i} AS ${TAG}, ${select}`).join(' UNION ALL ')));
    return s;
  };

  const run = async (keys: readonly (readonly unknown[])[]): Promise<Row[][]> => {
    const params = keys.flatMap((values) => values.map((v, i) => param[i](v)));
    for (let attempt = 0; ; attempt++) {
      try {
        const conn = await client.connect();
        let found: Record<string, unknown>[];
        try {
          found = await conn.query(statement(keys.length), params);
        } catch (e) {
          conn.destroy();
          throw e;
        }
        conn.release();
        const out: Row[][] = keys.map(() => []);
        for (const r of found) out[Number(r[TAG])].push(Object.fromEntries(ctx.fields.map((f) => [f.name, coerceJsonValue(r[f.name], f.type)])));
        return out;
      } catch (e) {
        if (attempt >= maxRetries || ctx.signal.aborted) {
          throw new UserError(`lookup in table '${ctx.table}' failed${attempt ? ` after ${attempt} retries` : ''}: ${(e as Error).message}`,
            `check the table and the database; 'lookup.max-retries' (now ${maxRetries}) sets how often a lookup is retried`);
        }
        ctx.log.warn({ table: ctx.table, attempt: attempt + 1, error: (e as Error).message }, 'lookup failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
      }
    }
  };

  return {
    open: async () => {},
    lookup: async (keys) => {
      const chunks: Promise<Row[][]>[] = [];
      for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) chunks.push(run(keys.slice(i, i + KEYS_PER_STATEMENT)));
      return (await Promise.all(chunks)).flat();
    },
    close: () => client.end(),
  };
}
