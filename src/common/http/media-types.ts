import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unsupportedMediaType } from '../errors/fastify-error-body.js';

// Twilio posts its webhooks as forms (a few as JSON); everything else in this API speaks JSON.
// Nest registers the form parser, and Fastify a text/plain one, for the whole app, so without
// this a form or text body sent to a JSON endpoint would be parsed and then refused field by
// field instead of answered 415.
const FORM_ROUTE_PREFIX = '/api/webhooks/twilio/';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

function isFormRoute(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(FORM_ROUTE_PREFIX);
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** What the matched route takes, for the 415 message. */
export function acceptedMediaTypeFor(request: FastifyRequest): string {
  return isFormRoute(request.routeOptions?.url) ? `${FORM} (or application/json)` : 'application/json';
}

/** Answers 415 to a body whose Content-Type the matched route does not take. Unknown routes stay 404. */
export function rejectUnacceptedMediaTypes(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions?.url;
    if (url === undefined || !hasBody(request)) return;
    const type = String(request.headers['content-type'] ?? '');
    if (JSON_TYPE.test(type)) return;
    if (isFormRoute(url) && type.toLowerCase().startsWith(FORM)) return;
    const body = unsupportedMediaType(request);
    return reply.code(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  });
}
