// The jdbc connector (MySQL / MariaDB), as Flink's: a sink that upserts by the table's PRIMARY KEY
// (INSERT ... ON DUPLICATE KEY UPDATE, deletes on retraction) or appends when there is none. This file is
// what the compiler loads: the option schema and checks only; the client library is loaded with the sink.
// An updating query into a table without a primary key is rejected by the compiler's changelog check
// (validate-changelog.ts), since validate() does not see the input's changelog.
import { z } from 'zod';
import type { Connector, TableInfo } from '../../core/connector.js';
import { durationString, intString, parseDuration, type OptionProblem, type OptionSchema } from '../../core/options.js';
import { parseJdbcUrl } from './url.js';

export const jdbcOptions: OptionSchema = {
  keys: {
    url: z.string().superRefine((s, issue) => {
      const parsed = parseJdbcUrl(s);
      if ('error' in parsed) issue.addIssue({ code: 'custom', message: parsed.error });
    }),
    'table-name': z.string().min(1, 'must not be empty'),
    username: z.string(),
    password: z.string(),
    // Names a Java driver class; accepted so that Flink DDL runs unchanged, and otherwise ignored.
    driver: z.string(),
    'sink.buffer-flush.max-rows': intString(0),
    'sink.buffer-flush.interval': durationString(),
    'sink.max-retries': intString(0),
    'connection.max-retry-timeout': durationString().refine((s) => parseDuration(s) >= 1000, 'must be at least 1 s'),
  },
  required: ['url', 'table-name'],
};

/** Flink's defaults. */
export const JDBC_DEFAULTS = {
  maxRows: 100,
  interval: '1s',
  maxRetries: 3,
  maxRetryTimeout: '60s',
} as const;

function validate(table: TableInfo): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const names = new Set(table.declared.map((f) => f.name));
  for (const key of table.primaryKey) {
    if (!names.has(key)) problems.push({ option: 'PRIMARY KEY', message: `primary key column '${key}' is not a column of the table` });
  }
  for (const f of table.declared) {
    if (f.type.name === 'INTERVAL' || f.type.name === 'NULL') {
      problems.push({ option: 'columns', message: `column '${f.name}' has type ${f.type.name}, which cannot be written to MySQL` });
    }
  }
  if (table.options.password !== undefined && table.options.username === undefined) {
    problems.push({ option: 'password', message: `'password' is set but 'username' is not` });
  }
  return problems;
}

export const jdbc: Connector = {
  name: 'jdbc',
  options: jdbcOptions,
  roles: ['sink'],
  sinkAccepts: 'upsert',
  validate: (table) => validate(table),
  load: async () => {
    const sink = await import('./sink.js');
    return { createSink: sink.createSink };
  },
};
