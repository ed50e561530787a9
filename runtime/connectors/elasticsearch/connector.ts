// The elasticsearch-7 connector, as Flink's: a sink that indexes rows as JSON documents, with the document
// id taken from the PRIMARY KEY (deleted on retraction), or appends documents with generated ids when there is
// none. This file is what the compiler loads: the option schema and checks only; the client library is loaded
// with the sink.
import { z } from 'zod';
import type { Connector, TableInfo } from '../../core/connector.js';
import { durationString, intString, memoryString, oneOf, type OptionProblem, type OptionSchema } from '../../core/options.js';

/** Why a 'hosts' value cannot be used, or null when every ';'-separated entry is an http(s) URL. */
export function hostsProblem(hosts: string): string | null {
  const list = splitHosts(hosts);
  if (list.length === 0) return `must name at least one host, such as http://127.0.0.1:9200`;
  for (const h of list) {
    let url: URL;
    try {
      url = new URL(h);
    } catch {
      return `'${h}' is not a URL; expected http://host:port (several separated by ';')`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `'${h}' must start with http:// or https://`;
  }
  return null;
}

export const splitHosts = (hosts: string): string[] => hosts.split(';').map((h) => h.trim()).filter((h) => h !== '');

/** Elasticsearch's rules for index names. */
function indexProblem(index: string): string | null {
  if (index.includes('{')) return `dynamic index names ('{field|format}') are not supported yet; use a fixed index name`;
  if (index !== index.toLowerCase()) return `index names must be lowercase`;
  if (/[\\/*?"<>| ,#:]/.test(index)) return `index names cannot contain \\ / * ? " < > | space , # :`;
  if (/^[-_+]/.test(index) || index === '.' || index === '..') return `index names cannot start with - _ + or be . or ..`;
  return null;
}

const refined = (check: (s: string) => string | null) => z.string().superRefine((s, issue) => {
  const problem = check(s);
  if (problem !== null) issue.addIssue({ code: 'custom', message: problem });
});

export const elasticsearchOptions: OptionSchema = {
  keys: {
    hosts: refined(hostsProblem),
    index: refined(indexProblem),
    'document-id.key-delimiter': z.string(),
    username: z.string(),
    password: z.string(),
    'sink.bulk-flush.max-actions': intString(0),
    'sink.bulk-flush.max-size': memoryString(),
    'sink.bulk-flush.interval': durationString(),
    'sink.bulk-flush.backoff.strategy': oneOf('DISABLED', 'CONSTANT', 'EXPONENTIAL'),
    'sink.bulk-flush.backoff.delay': durationString(),
    'sink.bulk-flush.backoff.max-retries': intString(0),
    'connection.path-prefix': z.string(),
    format: oneOf('json'),
  },
  required: ['hosts', 'index'],
};

/**
 * Flink's defaults, except the backoff: Flink's is DISABLED (a rejected bulk item fails the job); sluice retries
 * rejections and unreachable nodes by default, since that is what keeps a job alive through a node restart.
 * Set 'sink.bulk-flush.backoff.strategy' = 'DISABLED' for Flink's behaviour.
 */
export const ES_DEFAULTS = {
  delimiter: '_',
  maxActions: 1000,
  maxSize: '2mb',
  interval: '1s',
  backoffStrategy: 'EXPONENTIAL',
  backoffDelay: '50ms',
  backoffMaxRetries: 8,
} as const;

function validate(table: TableInfo): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const names = new Set(table.declared.map((f) => f.name));
  for (const key of table.primaryKey) {
    if (!names.has(key)) problems.push({ option: 'PRIMARY KEY', message: `primary key column '${key}' is not a column of the table` });
  }
  for (const f of table.primaryKey.map((k) => table.declared.find((d) => d.name === k)).filter((f) => f !== undefined)) {
    if (['ARRAY', 'MAP', 'ROW', 'BYTES'].includes(f.type.name)) {
      problems.push({ option: 'PRIMARY KEY', message: `primary key column '${f.name}' has type ${f.type.name}, which cannot form a document id` });
    }
  }
  if ((table.options.username === undefined) !== (table.options.password === undefined)) {
    problems.push({ option: table.options.username === undefined ? 'password' : 'username', message: `'username' and 'password' must be set together` });
  }
  return problems;
}

export const elasticsearch7: Connector = {
  name: 'elasticsearch-7',
  options: elasticsearchOptions,
  roles: ['sink'],
  sinkAccepts: 'upsert',
  validate: (table) => validate(table),
  load: async () => {
    const sink = await import('./sink.js');
    return { createSink: sink.createSink };
  },
};
