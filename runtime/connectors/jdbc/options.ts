// The WITH options of the jdbc connector (Flink's names), the checks across options, and the settings the sink
// reads, parsed once. Light: the compiler loads it through connector.ts; the sink imports it too.
import { undeclaredKeyProblems, type TableInfo } from '../../core/connector.js';
import { anyString, nonEmptyString, oneOf, stringChecked, boolString, durationString, intString, parseDuration, type OptionProblem, type OptionSchema } from '../../core/options.js';
import { parseJdbcUrl } from './url.js';

export const jdbcOptions: OptionSchema = {
  keys: {
    url: stringChecked((s) => {
      const parsed = parseJdbcUrl(s);
      return 'error' in parsed ? parsed.error : null;
    }),
    'table-name': nonEmptyString(),
    username: anyString(),
    password: anyString(),
    // Names a Java driver class; accepted so that Flink DDL runs unchanged, and otherwise ignored.
    driver: anyString(),
    'sink.buffer-flush.max-rows': intString(0),
    'sink.buffer-flush.interval': durationString(),
    'sink.max-retries': intString(0),
    'connection.max-retry-timeout': durationString(1000, '1 s'),
    // Lookup joins (FOR SYSTEM_TIME AS OF), Flink's names: the cache of looked-up rows and the retries of a failed lookup.
    'lookup.cache': oneOf('NONE', 'PARTIAL'),
    'lookup.partial-cache.max-rows': intString(1),
    'lookup.partial-cache.expire-after-write': durationString(),
    'lookup.partial-cache.expire-after-access': durationString(),
    'lookup.partial-cache.cache-missing-key': boolString(),
    'lookup.max-retries': intString(0),
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

/** `lookup.max-retries`, Flink's default 3 (the cache options are the lookup join's: runtime/exec/lookup-join-processor.ts). */
export const lookupMaxRetries = (options: Record<string, string>): number => Number(options['lookup.max-retries'] ?? 3);

export function validateJdbc(table: TableInfo): OptionProblem[] {
  const problems = undeclaredKeyProblems(table);
  for (const f of table.declared) {
    if (f.type.name === 'INTERVAL' || f.type.name === 'NULL') {
      problems.push({ option: 'columns', message: `column '${f.name}' has type ${f.type.name}, which cannot be written to MySQL` });
    }
  }
  const o = table.options;
  if (o['lookup.cache'] === 'PARTIAL' && !['max-rows', 'expire-after-write', 'expire-after-access'].some((k) => o[`lookup.partial-cache.${k}`] !== undefined)) {
    problems.push({ option: 'lookup.cache', message: "a PARTIAL cache needs 'lookup.partial-cache.max-rows', 'lookup.partial-cache.expire-after-write' or 'lookup.partial-cache.expire-after-access' (else it would grow forever)" });
  }
  if (table.options.password !== undefined && table.options.username === undefined) {
    problems.push({ option: 'password', message: `'password' is set but 'username' is not` });
  }
  return problems;
}

