// The taskmanager protocol (see runtime/cluster/protocol.ts): registration, heartbeats as long polls,
// task events, deregistration. A heartbeat whose connection closes before it is answered is reported to
// the jobmanager: a taskmanager killed with -9 is noticed within about a second. Every request must carry
// the cluster secret (cluster-secret.ts): anonymous callers of the REST port get 401.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SECRET_HEADER, secretMatches } from '../../cluster/cluster-secret.js';
import { ClusterError } from '../../cluster/errors.js';
import type { JobManager } from '../../cluster/jobmanager.js';
import { eventSchema, heartbeatSchema, registerSchema, type TaskEvent } from '../../cluster/protocol.js';
import { parse } from '../validate.js';

const tmParams = z.object({ tmid: z.string() });

export function internalRoutes(root: FastifyInstance, jm: JobManager, clusterSecret: string): void {
  void root.register(async (app) => {
    // Only taskmanagers, which hold the cluster secret, speak this protocol.
    app.addHook('onRequest', async (req) => {
      if (!secretMatches(req.headers[SECRET_HEADER], clusterSecret)) {
        throw new ClusterError(401, `Unauthorized: the taskmanager protocol needs the cluster secret (header ${SECRET_HEADER})`);
      }
    });
    taskmanagerProtocol(app, jm);
  });
}

function taskmanagerProtocol(app: FastifyInstance, jm: JobManager): void {
  app.post('/internal/taskmanagers', async (req) => jm.register(parse(registerSchema, req.body, 'registration')));

  app.post('/internal/taskmanagers/:tmid/heartbeat', async (req, reply) => {
    const { tmid } = parse(tmParams, req.params, 'path');
    const body = parse(heartbeatSchema, req.body, 'heartbeat');
    if (body.process) jm.taskManager(tmid).process = body.process;
    const closed = new AbortController();
    const onClose = () => {
      if (reply.raw.writableFinished) return;
      closed.abort();
      jm.heartbeatConnectionClosed(tmid);
    };
    reply.raw.once('close', onClose);
    try {
      return { commands: await jm.heartbeat(tmid, body.tasks, closed.signal) };
    } finally {
      reply.raw.off('close', onClose);
    }
  });

  app.post('/internal/taskmanagers/:tmid/events', async (req) => {
    const { tmid } = parse(tmParams, req.params, 'path');
    const event = parse(eventSchema, req.body, 'event') as TaskEvent;
    return { accepted: await jm.event(tmid, event) };
  });

  app.delete('/internal/taskmanagers/:tmid', async (req) => {
    const { tmid } = parse(tmParams, req.params, 'path');
    jm.deregister(tmid);
    return {};
  });
}
