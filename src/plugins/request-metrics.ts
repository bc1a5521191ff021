import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { noopMetrics } from '../modules/metrics/metrics.js';

/**
 * Counts and times every answer, labelled by the route *pattern* (`/back-office/demandes/:id`),
 * never the raw URL, so a scan of random paths cannot blow up the number of series.
 */
export const requestMetrics = fp(async function requestMetrics(app: FastifyInstance) {
  const { metrics } = app.deps;
  if (metrics === noopMetrics) return; // metrics off: not even a hook on the request path
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
});
