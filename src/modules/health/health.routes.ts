import type { FastifyInstance } from 'fastify';
import { checkReadiness } from './health.service.js';

/**
 * Probes for the load balancer, systemd or Kubernetes. JSON, no cookie, no session, no audit
 * row, no-store; logged only at warn so a probe every few seconds does not flood the log.
 */
export async function healthRoutes(app: FastifyInstance) {
  // Liveness: the process answers. No database access, so a database outage never gets a
  // healthy instance restarted.
  app.get('/healthz', { logLevel: 'warn' }, async (request, reply) => {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' });
  });

  // Readiness: send traffic here? No while the database is away, migrations are pending, or
  // this instance is shutting down.
  app.get('/readyz', { logLevel: 'warn' }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (app.deps.isDraining?.()) return reply.code(503).send({ status: 'shutting_down' });
    const readiness = await checkReadiness(app.deps.db);
    if (readiness.ready) return reply.send({ status: 'ready' });
    request.log.warn({ database: readiness.database, migrations: readiness.migrations }, 'not ready');
    return reply.code(503).send({ status: 'unavailable', database: readiness.database, migrations: readiness.migrations });
  });
}
