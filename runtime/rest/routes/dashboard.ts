// The web dashboard on the REST port: GET / is the page, /web/app.js and /web/app.css its code, plus the SQL
// page's routes (sql-preview.ts). The page and its code are public: they hold no cluster data, and a browser
// cannot send a token with a page load. Every request the page makes for data goes through the REST API's
// token check like any other client's.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../cluster/errors.js';
import type { JobManager } from '../../cluster/jobmanager.js';
import { dashboardAssets } from '../dashboard-assets.js';
import { sqlPreviewRoutes } from './sql-preview.js';

const PUBLIC_ROUTE = { public: true };

/** The dashboard's routes: its files, and the SQL page's tables and preview. */
export function dashboardRoutes(app: FastifyInstance, jm: JobManager): void {
  sqlPreviewRoutes(app, jm);
  const send = async (name: string, reply: import('fastify').FastifyReply) => {
    const asset = (await dashboardAssets()).get(name);
    if (!asset) throw notFound(`Not found: /web/${name}`);
    return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  };
  app.get('/', { config: PUBLIC_ROUTE }, async (_req, reply) => send('index.html', reply));
  app.get('/web/:file', { config: PUBLIC_ROUTE }, async (req, reply) => send((req.params as { file: string }).file, reply));
}
