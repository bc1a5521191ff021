/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HashQueueFullError } from '../shared/hasher.js';
import { h } from '../views/jsx.js';
import { MessagePage } from '../views/pages/message.js';
import { errorPageContext, sendPage, sendTooManyRequests } from './views.js';

/**
 * S30: whatever goes wrong, the visitor gets a page in their language — never a stack, SQL or version.
 * The details go to the log (which never holds secrets, S35).
 */
export const errorPages = fp(async function errorPages(app: FastifyInstance) {
  let paused = 0;

  app.setNotFoundHandler((request, reply) => {
    const ctx = errorPageContext(request);
    sendPage(reply, <MessagePage ctx={ctx} title={ctx.t.errors.notFoundTitle} body={ctx.t.errors.notFoundBody} isError />, 404);
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof HashQueueFullError) {
      // S10: a flood bigger than the hashing queue gets its refusals after a pause, so it slows
      // itself down instead of keeping the event loop busy answering thousands of 429s a second.
      // The pause varies (0.5 to 1.5 times) so the refusals do not all come back in one burst.
      if (paused < QUEUE_FULL_MAX_PAUSED) {
        paused++;
        await new Promise((resolve) => setTimeout(resolve, QUEUE_FULL_PAUSE_MS * (0.5 + Math.random())));
        paused--;
      }
      return sendTooManyRequests(request, reply, 5);
    }
    const status = error.statusCode ?? 500;
    const ctx = errorPageContext(request);
    const t = ctx.t;
    if (error.code === 'CSRF_REFUSED') {
      return sendPage(reply, <MessagePage ctx={ctx} title={t.errors.csrfTitle} body={t.errors.csrfBody} isError action={{ href: '/connexion', label: t.placeholder.back }} />, 403);
    }
    if (status === 413) return sendPage(reply, <MessagePage ctx={ctx} title={t.errors.tooLargeTitle} body={t.errors.tooLargeBody} isError />, 413);
    if (error.validation || (status >= 400 && status < 500)) {
      request.log.info({ code: error.code, status }, 'request refused');
      return sendPage(reply, <MessagePage ctx={ctx} title={t.errors.badRequestTitle} body={t.errors.badRequestBody} isError />, 400);
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: { message: error.message, code: error.code } }, 'database unavailable');
      reply.header('retry-after', '10');
      return sendPage(reply, <MessagePage ctx={ctx} title={t.errors.unavailableTitle} body={t.errors.unavailableBody} isError />, 503);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendPage(reply, <MessagePage ctx={ctx} title={t.errors.serverTitle} body={t.errors.serverBody} isError />, 500);
  });
});

/** How long a refusal for a full hashing queue waits, and how many may wait at once (S10). */
export const QUEUE_FULL_PAUSE_MS = 1000;
const QUEUE_FULL_MAX_PAUSED = 10_000;

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', 'SQLITE_BUSY']);

function isDatabaseUnavailable(error: FastifyError): boolean {
  return (
    (typeof error.code === 'string' && UNAVAILABLE_CODES.has(error.code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(error.message)
  );
}
