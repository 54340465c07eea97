import { STATUS_CODES } from 'node:http';
import type { ErrorResponseDto } from './error-response.dto.js';

export type ErrorBody = ErrorResponseDto;

// The code an error gets when nothing more specific names it (a bare Nest HttpException, a Fastify error).
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

const SCREAMING_SNAKE = /^[A-Z][A-Z0-9_]*$/;

export function defaultCodeFor(statusCode: number): string {
  return CODE_BY_STATUS[statusCode] ?? (statusCode >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

/** Builds the one error shape; a code that is not SCREAMING_SNAKE falls back to the status's code. */
type Extra = Pick<ErrorBody, 'details' | 'errorId' | 'twilio' | 'compensation'>;

// The members of an AppException's details that callers may see (declared in ErrorResponseDto);
// the rest are for logs and audit only.
const PUBLIC_DETAILS = ['twilio', 'compensation'] as const;

export function publicDetails(details: Record<string, unknown> | undefined): Extra {
  const out: Record<string, unknown> = {};
  for (const key of PUBLIC_DETAILS) if (details?.[key] !== undefined) out[key] = details[key];
  return out;
}

export function errorBody(statusCode: number, code: string | undefined, message: string, extra: Extra = {}): ErrorBody {
  const body: ErrorBody = {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    code: code && SCREAMING_SNAKE.test(code) ? code : defaultCodeFor(statusCode),
    message,
  };
  return { ...body, ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) };
}
