// The WITH options of the elasticsearch-7 connector (Flink's names), the checks across options, and the settings
// the sink reads, parsed once. Light: the compiler loads it through connector.ts; the sink imports it too.
import { undeclaredKeyProblems, type TableInfo } from '../../core/connector.js';
import { anyString, stringChecked, durationString, intString, memoryString, oneOf, parseDuration, parseMemorySize, type OptionProblem, type OptionSchema } from '../../core/options.js';

/** Why a 'hosts' value cannot be used, or null when every ';'-separated entry is an http(s) URL. */
function hostsProblem(hosts: string): string | null {
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

const splitHosts = (hosts: string): string[] => hosts.split(';').map((h) => h.trim()).filter((h) => h !== '');

/** Elasticsearch's rules for index names. */
function indexProblem(index: string): string | null {
  if (index.includes('{')) return `dynamic index names ('{field|format}') are not supported yet; use a fixed index name`;
  if (index !== index.toLowerCase()) return `index names must be lowercase`;
  if (/[\\/*?"<>| ,#:]/.test(index)) return `index names cannot contain \\ / * ? " < > | space , # :`;
  if (/^[-_+]/.test(index) || index === '.' || index === '..') return `index names cannot start with - _ + or be . or ..`;
  return null;
}

export const elasticsearchOptions: OptionSchema = {
  keys: {
    hosts: stringChecked(hostsProblem),
    index: stringChecked(indexProblem),
    'document-id.key-delimiter': anyString(),
    username: anyString(),
    password: anyString(),
    'sink.bulk-flush.max-actions': intString(0),
    'sink.bulk-flush.max-size': memoryString(),
    'sink.bulk-flush.interval': durationString(),
    'sink.bulk-flush.backoff.strategy': oneOf('DISABLED', 'CONSTANT', 'EXPONENTIAL'),
    'sink.bulk-flush.backoff.delay': durationString(),
    'sink.bulk-flush.backoff.max-retries': intString(0),
    'connection.path-prefix': anyString(),
    format: oneOf('json'),
  },
  required: ['hosts', 'index'],
};

/**
 * Flink's defaults, except the backoff: Flink's is DISABLED (a rejected bulk item fails the job); sluice retries
 * rejections and unreachable nodes by default, since that is what keeps a job alive through a node restart.
 * Set 'sink.bulk-flush.backoff.strategy' = 'DISABLED' for Flink's behaviour.
 */
export interface ElasticsearchSettings {
  hosts: string[];
  index: string;
  delimiter: string;
  username?: string;
  password?: string;
  pathPrefix?: string;
  maxActions: number;
  maxBytes: number;
  intervalMs: number;
  backoffStrategy: 'DISABLED' | 'CONSTANT' | 'EXPONENTIAL';
  backoffDelayMs: number;
  backoffMaxRetries: number;
}

/** The options of a table that passed elasticsearchOptions, read once into what the sink uses. */
export function elasticsearchSettings(table: Pick<TableInfo, 'options'>): ElasticsearchSettings {
  const o = table.options;
  return {
    hosts: splitHosts(o.hosts),
    index: o.index,
    delimiter: o['document-id.key-delimiter'] ?? '_',
    username: o.username,
    password: o.password,
    pathPrefix: o['connection.path-prefix'],
    maxActions: Number(o['sink.bulk-flush.max-actions'] ?? 1000),
    maxBytes: parseMemorySize(o['sink.bulk-flush.max-size'] ?? '2mb'),
    intervalMs: parseDuration(o['sink.bulk-flush.interval'] ?? '1s'),
    backoffStrategy: (o['sink.bulk-flush.backoff.strategy'] ?? 'EXPONENTIAL') as ElasticsearchSettings['backoffStrategy'],
    backoffDelayMs: parseDuration(o['sink.bulk-flush.backoff.delay'] ?? '50ms'),
    backoffMaxRetries: Number(o['sink.bulk-flush.backoff.max-retries'] ?? 8),
  };
}

export function validateElasticsearch(table: TableInfo): OptionProblem[] {
  const problems = undeclaredKeyProblems(table);
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

