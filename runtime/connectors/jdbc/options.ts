// The WITH options of the jdbc connector (Flink's names), the checks across options, and the settings the sink
// reads, parsed once. Light: the compiler loads it through connector.ts; the sink imports it too.
import { z } from 'zod';
import { undeclaredKeyProblems, type TableInfo } from '../../core/connector.js';
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

/** The options of a table that passed jdbcOptions, read once into what the sink uses, with Flink's defaults. */
export interface JdbcSettings {
  tableName: string;
  username?: string;
  password?: string;
  maxRows: number;
  intervalMs: number;
  maxRetries: number;
  maxRetryTimeoutMs: number;
}

export function jdbcSettings(table: Pick<TableInfo, 'table' | 'options'>): JdbcSettings {
  const o = table.options;
  return {
    tableName: o['table-name'] ?? table.table,
    username: o.username,
    password: o.password,
    maxRows: Number(o['sink.buffer-flush.max-rows'] ?? 100),
    intervalMs: parseDuration(o['sink.buffer-flush.interval'] ?? '1s'),
    maxRetries: Number(o['sink.max-retries'] ?? 3),
    maxRetryTimeoutMs: parseDuration(o['connection.max-retry-timeout'] ?? '60s'),
  };
}

export function validateJdbc(table: TableInfo): OptionProblem[] {
  const problems = undeclaredKeyProblems(table);
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

