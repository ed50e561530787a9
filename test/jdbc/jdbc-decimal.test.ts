// DECIMAL columns through the jdbc connector against the stack's MariaDB (bash stack/up.sh; FAILS when it is
// down): the sink binds each value's exact text, MySQL's DECIMAL(38, 10) keeps all 38 digits, a separate MySQL
// connection reads them back as text, and the connector's own reader (readTable, as reconcile and lookups read)
// gives the same bigints. Its own table name, so helpers running side by side do not collide.
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jdbc } from '../../runtime/connectors/jdbc/connector.js';
import type { TableReadContext } from '../../runtime/core/connector.js';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import { sinkContext, writeAll } from '../connectors/context.js';
import { MYSQL, MYSQL_URL, STACK_HINT } from './stack-control.js';

const table = `dec_${randomUUID().slice(0, 8)}`;
let admin: mysql.Pool;

beforeAll(async () => {
  admin = mysql.createPool({ ...MYSQL, connectTimeout: 3000, connectionLimit: 1 });
  await admin.query('SELECT 1').catch((e) => { throw new Error(`MariaDB at ${MYSQL.host}:${MYSQL.port} unreachable: ${e.message}${STACK_HINT}`); });
  await admin.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY, amount DECIMAL(38, 10))`);
});

afterAll(async () => {
  await admin?.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
  await admin?.end().catch(() => {});
});

describe('jdbc DECIMAL columns', () => {
  it('writes and reads 38 digits exactly', async () => {
    const schema: Field[] = [{ name: 'id', type: DataTypes.INT() }, { name: 'amount', type: DataTypes.DECIMAL(38, 10) }];
    const options = { connector: 'jdbc', url: MYSQL_URL, 'table-name': table, username: MYSQL.user, password: MYSQL.password };
    // Unscaled values at scale 10: 38 nines, a value far beyond a double's 15 digits, a negative fraction, zero, NULL.
    const values = [10n ** 38n - 1n, 12345678901234567890123456789012345678n, -5n, 0n, null];
    const ctx = { ...sinkContext(schema, options), primaryKey: ['id'], changelog: 'upsert' as const };
    const sink = (await jdbc.load()).createSink!(ctx);
    await sink.open(null);
    await writeAll(sink, values.map((amount, id) => ({ id, amount })));
    await sink.flush();
    await sink.close();

    const [rows] = await admin.query(`SELECT id, CAST(amount AS CHAR) AS amount FROM \`${table}\` ORDER BY id`);
    expect((rows as { amount: string | null }[]).map((r) => r.amount)).toEqual([
      '9999999999999999999999999999.9999999999', '1234567890123456789012345678.9012345678', '-0.0000000005', '0.0000000000', null,
    ]);
    const read = await (await jdbc.load()).readTable!({ ...sinkContext(schema, options), declared: schema } as unknown as TableReadContext);
    expect(read.sort((a, b) => (a.id as number) - (b.id as number)).map((r) => r.amount)).toEqual(values);
  });
});
