// The only importer of @elastic/elasticsearch (7.13, the last 7.x client without the product check, which
// Elasticsearch 7.10 and OpenSearch would fail): a bulk call behind an interface naming just what the sink
// uses, plus the knowledge of which failures are transient. The client is imported statically, so that a
// bundle carries it: createRequire would leave it to be found at run time next to the bundle, where there are
// no node_modules (a parallel subtask, which loads the bundle, hung opening the sink). The package's ESM entry
// has no type declarations under NodeNext; its default export is the CommonJS module, typed by its index.d.ts.
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
// @ts-expect-error TS7016: index.mjs ships no declarations (the CommonJS types are applied below).
import esModule from '@elastic/elasticsearch';

const es = esModule as typeof Es;

/** One action's outcome, in the order the actions were sent. */
export interface BulkItemResult {
  index: string;
  id: string;
  status: number;
  error?: { type: string; reason: string; causedBy?: string };
}

export interface BulkClient {
  /** Sends NDJSON bulk actions; resolves with one result per action, rejects when the request itself failed. */
  bulk(ndjson: string): Promise<BulkItemResult[]>;
  /** Every document of the index (id and source), by a scroll; none when the index does not exist. For reading a sink back. */
  documents(index: string): Promise<{ id: string; source: Record<string, unknown> }[]>;
  close(): Promise<void>;
}

interface BulkClientConfig {
  /** http(s) URLs, one per node. */
  hosts: string[];
  /** Prepended to every request path (a proxy that serves Elasticsearch under a path). */
  pathPrefix?: string;
  username?: string;
  password?: string;
  requestTimeoutMs: number;
}

interface RawItem {
  _index?: string;
  _id?: string;
  status?: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

export function createBulkClient(config: BulkClientConfig): BulkClient {
  const prefix = (config.pathPrefix ?? '').replace(/^\/*/, '').replace(/\/*$/, '');
  const client = new es.Client({
    nodes: config.hosts.map((h) => (prefix === '' ? h : `${h.replace(/\/*$/, '')}/${prefix}`)),
    auth: config.username !== undefined ? { username: config.username, password: config.password ?? '' } : undefined,
    // The sink retries with its own backoff; the client's immediate retries would only hammer a restarting node.
    maxRetries: 0,
    requestTimeout: config.requestTimeoutMs,
  });
  return {
    async bulk(ndjson) {
      const response = await client.bulk({
        body: ndjson,
        // Every item keeps its status, so positions still match the actions sent.
        filter_path: 'errors,items.*._index,items.*._id,items.*.status,items.*.error',
      });
      const items = (response.body as { items?: Record<string, RawItem>[] }).items ?? [];
      return items.map((entry) => {
        const item = Object.values(entry)[0] ?? {};
        const error = item.error;
        return {
          index: item._index ?? '',
          id: item._id ?? '',
          status: item.status ?? 0,
          error: error === undefined ? undefined : {
            type: error.type ?? 'unknown',
            reason: error.reason ?? '',
            causedBy: error.caused_by ? `${error.caused_by.type ?? ''}: ${error.caused_by.reason ?? ''}` : undefined,
          },
        };
      });
    },
    async documents(index) {
      type Page = { _scroll_id?: string; hits: { hits: { _id: string; _source: Record<string, unknown> }[] } };
      const out: { id: string; source: Record<string, unknown> }[] = [];
      let page: Page;
      try {
        page = (await client.search({ index, scroll: '1m', size: 1000, body: { query: { match_all: {} } } })).body as Page;
      } catch (e) {
        if ((e as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return out;
        throw e;
      }
      while (page.hits.hits.length > 0) {
        for (const h of page.hits.hits) out.push({ id: h._id, source: h._source });
        page = (await client.scroll({ scroll_id: page._scroll_id!, scroll: '1m' })).body as Page;
      }
      if (page._scroll_id) await client.clearScroll({ scroll_id: page._scroll_id }).catch(() => {});
      return out;
    },
    close: () => client.close(),
  };
}

/** HTTP statuses after which the same request may succeed: overloaded, or a node (re)starting. */
const TRANSIENT_STATUS = new Set([408, 429, 502, 503, 504]);

/** A failed bulk request worth retrying: no connection, a timeout, or a transient status. */
export function isTransientRequestError(e: unknown): boolean {
  const { ConnectionError, TimeoutError, NoLivingConnectionsError, ResponseError } = es.errors;
  if (e instanceof ConnectionError || e instanceof TimeoutError || e instanceof NoLivingConnectionsError) return true;
  return e instanceof ResponseError && TRANSIENT_STATUS.has(e.statusCode ?? 0);
}

/** A failed bulk item worth retrying: rejected by a full write queue (429) or a shard not ready yet. */
export function isTransientItem(item: BulkItemResult): boolean {
  return TRANSIENT_STATUS.has(item.status) || item.error?.type === 'es_rejected_execution_exception';
}

/** A request error as one line: the client's messages for a ResponseError are the whole JSON body. */
export function describeRequestError(e: unknown): string {
  if (e instanceof es.errors.ResponseError) {
    const body = e.body as { error?: { type?: string; reason?: string } | string } | undefined;
    const err = body?.error;
    const detail = typeof err === 'string' ? err : err ? `${err.type ?? ''}: ${err.reason ?? ''}` : e.message;
    return `HTTP ${e.statusCode}: ${detail}`;
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
