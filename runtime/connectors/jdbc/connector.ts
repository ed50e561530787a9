// The jdbc connector (MySQL / MariaDB), as Flink's: a sink that upserts by the table's PRIMARY KEY
// (INSERT ... ON DUPLICATE KEY UPDATE, deletes on retraction) or appends when there is none, and a lookup
// source for lookup joins (lookup.ts). This file is
// what the compiler loads: the declarations (options in options.ts); the client library is loaded with the sink.
// An updating query into a table without a primary key is rejected by the compiler's changelog check
// (runtime/connectors/check-table.ts, by primaryKey below), since validate() does not see the input's changelog.
import type { Connector } from '../../core/connector.js';
import { jdbcOptions, validateJdbc } from './options.js';

export const jdbc: Connector = {
  name: 'jdbc',
  options: jdbcOptions,
  roles: ['sink', 'lookup'],
  sinkAccepts: 'upsert',
  primaryKey: 'for-updates',
  validate: (table) => validateJdbc(table),
  load: async () => {
    const [sink, read, lookup] = await Promise.all([import('./sink.js'), import('./read-table.js'), import('./lookup.js')]);
    return { createSink: sink.createSink, readTable: read.readJdbcTable, createLookup: lookup.createJdbcLookup };
  },
};
