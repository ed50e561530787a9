// Cluster-wide routes: GET /overview, /config (the dashboard's), /jobmanager/config (the configuration,
// secrets masked). The processes' own routes are in processes.ts.
import type { FastifyInstance } from 'fastify';
import { publicConfig } from '../../cluster/config.js';
import type { JobManager } from '../../cluster/jobmanager.js';
import { FLINK_VERSION, overview, VERSION } from '../shapes.js';

export function clusterRoutes(app: FastifyInstance, jm: JobManager): void {
  app.get('/overview', async () => overview(jm));
  app.get('/config', async () => ({
    'refresh-interval': 3000,
    'timezone-name': Intl.DateTimeFormat().resolvedOptions().timeZone,
    'timezone-offset': -new Date().getTimezoneOffset() * 60_000,
    'flink-version': FLINK_VERSION,
    'flink-revision': `sluice ${VERSION}`,
    'sluice-version': VERSION,
    features: { 'web-submit': false, 'web-cancel': true, 'web-rescale': false, 'web-history': false },
  }));
  app.get('/jobmanager/config', async () => Object.entries(publicConfig(jm.config)).map(([key, value]) => ({ key, value })));
}
