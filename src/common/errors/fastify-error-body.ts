import type { FastifyRequest } from 'fastify';
import { acceptedMediaTypeFor } from '../http/media-types.js';
import { type ErrorBody, errorBody } from './error-body.js';

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * Fastify refuses some requests before Nest sees them (body parsing, content types). Those are
 * the caller's errors: each gets a code and a message that says what to send instead.
 * Nest hands them over wrapped in an HttpException whose `cause` is Fastify's error. Undefined
 * for anything that is not a 4xx from Fastify.
 */
export function fastifyErrorBody(exception: unknown, request: FastifyRequest): ErrorBody | undefined {
  const err: FastifyLikeError = typeof exception === 'object' && exception !== null ? exception : {};
  const status = err.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody(
        413,
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than this endpoint accepts (${request.routeOptions?.bodyLimit ?? 'the limit'} bytes)`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(request);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorBody(400, 'INVALID_JSON', 'The body is empty but Content-Type is application/json: send a JSON body or drop the header');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errorBody(400, 'INVALID_JSON', 'The request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorBody(400, 'BAD_REQUEST', 'The request body size does not match its Content-Length header');
    default:
      // JSON.parse's SyntaxError (Fastify marks it 400) names the position, which helps the caller.
      if (exception instanceof SyntaxError) return errorBody(400, 'INVALID_JSON', `The request body is not valid JSON: ${exception.message}`);
      if (exception instanceof Error && exception.name === 'FastifyError')
        return errorBody(status, undefined, typeof err.message === 'string' ? err.message : 'The request was refused');
      return undefined;
  }
}

export function unsupportedMediaType(request: FastifyRequest): ErrorBody {
  const sent = request.headers['content-type'] ?? 'none';
  return errorBody(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${sent} is not accepted here: send ${acceptedMediaTypeFor(request)}`);
}
