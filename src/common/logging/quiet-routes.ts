import type { IncomingMessage } from 'node:http';

// Health probes and Prometheus scrapes would drown the request log.
const QUIET_PATH = /^\/(metrics|api\/health)(\/|\?|$)/;

/**
 * True for requests that get no access-log line. Nest runs the logger as middleware, whose
 * `req.url` is relative to the middleware's mount point ("/"): the full path is `originalUrl`.
 */
export function isQuietRequest(req: IncomingMessage & { originalUrl?: string }): boolean {
  return QUIET_PATH.test(req.originalUrl ?? req.url ?? '');
}
