// The jobmanager's HTTP server (fastify): Flink's REST API, the Prometheus endpoint and the internal
// taskmanager protocol on one port. Bodies are read as JSON whatever the content type (curl -d sends
// form-encoded, as in the playground's `curl .../stop -d '{"drain": false}'`), uploads as multipart. With a
// token configured every request must carry `Authorization: Bearer <token>`. Errors are Flink's
// {"errors": [...]}: 4xx for the caller's mistakes, 5xx only for sluice's own.
import { createHash, timingSafeEqual } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../core/log.js';
import { UserError } from '../core/errors.js';
import { ClusterError, badRequest } from '../cluster/errors.js';
import type { JobManager } from '../cluster/jobmanager.js';
import { clusterRoutes } from './routes/cluster.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { internalRoutes } from './routes/internal.js';
import { jarRoutes } from './routes/jars.js';
import { jobRoutes } from './routes/jobs.js';
import { reconcileRoutes } from './routes/reconcile.js';
import { metricsRoutes } from './routes/metrics.js';
import { processRoutes } from './routes/processes.js';
import { vertexRoutes } from './routes/vertices.js';
import { resourceRequirementsRoutes } from './routes/resource-requirements.js';

export interface RestServerOptions {
  address: string;
  port: number;
  token: string | null;
  /** What taskmanagers show to use the internal protocol (runtime/cluster/cluster-secret.ts). */
  clusterSecret: string;
  maxContentLength: number;
  log: Logger;
}

export interface RestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startRestServer(jm: JobManager, opts: RestServerOptions): Promise<RestServer> {
  const app = Fastify({
    bodyLimit: opts.maxContentLength, logger: false, forceCloseConnections: true,
    // Flink's REST client puts the API version before every path (/v1/jobs/overview): the same routes answer.
    rewriteUrl: (req) => withoutVersion(req.url ?? '/'),
  });
  installParsers(app);
  // Uploads stream to disk (POST /jars/upload), one file of at most rest.server.max-content-length.
  await app.register(multipart, { limits: { fileSize: opts.maxContentLength, files: 1, fields: 16, parts: 17 } });
  if (opts.token) installAuth(app, opts.token);
  app.setErrorHandler((e, req, reply) => {
    const err = e as Error & { statusCode?: number };
    if (err instanceof ClusterError) return reply.code(err.status).send({ errors: [err.message] });
    if (e instanceof UserError) return reply.code(400).send({ errors: [e.message + (e.hint ? ` (${e.hint})` : '')] });
    const status = err.statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send({ errors: [err.message] });
    opts.log.error({ err, method: req.method, url: req.url }, 'internal error while answering a REST request');
    return reply.code(500).send({ errors: [`Internal server error: ${err.message}`] });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ errors: [`Not found: ${req.method} ${req.url.split('?')[0]}`] }));

  let url = '';
  clusterRoutes(app, jm);
  jobRoutes(app, jm);
  reconcileRoutes(app, jm);
  vertexRoutes(app, jm);
  resourceRequirementsRoutes(app, jm);
  processRoutes(app, jm);
  jarRoutes(app, jm, () => url);
  metricsRoutes(app, jm);
  internalRoutes(app, jm, opts.clusterSecret);
  dashboardRoutes(app, jm);

  await app.listen({ host: opts.address, port: opts.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.address.includes(':') ? `[${opts.address}]` : opts.address;
  url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  return { url, port, close: () => app.close() };
}

/** /v1/jobs → /jobs, /v1?x → /?x; other paths as they are. */
function withoutVersion(url: string): string {
  if (!/^\/v1(?=[/?]|$)/.test(url)) return url;
  const rest = url.slice(3);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function installParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const json = (_req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => {
    if (!body.trim()) return done(null, undefined);
    try {
      done(null, JSON.parse(body));
    } catch (e) {
      done(badRequest(`Request body is not valid JSON: ${(e as Error).message}`));
    }
  };
  app.addContentTypeParser('*', { parseAs: 'string' }, json);
}

function installAuth(app: FastifyInstance, token: string): void {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const expected = digest(`Bearer ${token}`);
  app.addHook('onRequest', async (req) => {
    if ((req.routeOptions.config as { public?: boolean } | undefined)?.public) return;
    const given = req.headers.authorization;
    if (!given || !timingSafeEqual(digest(given), expected)) {
      throw new ClusterError(401, 'Unauthorized: this jobmanager requires Authorization: Bearer <token> (the token is $SLUICE_REST_TOKEN or rest.auth.token)');
    }
  });
}
