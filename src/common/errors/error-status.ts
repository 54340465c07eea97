import { HttpException, HttpStatus } from '@nestjs/common';
import { type AppErrorKind, AppException } from './app.exception.js';

/** The one map from an error's kind to its HTTP status (the exception filter, audit rows, the media upgrade). */
export const STATUS_BY_KIND: Readonly<Record<AppErrorKind, number>> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  too_many: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  upstream: HttpStatus.BAD_GATEWAY,
};

/** The HTTP status an error answers with: by kind for ours, Nest's own for HttpException, else 500. */
export function statusOfError(err: unknown): number {
  if (err instanceof AppException) return STATUS_BY_KIND[err.kind];
  if (err instanceof HttpException) return err.getStatus();
  return HttpStatus.INTERNAL_SERVER_ERROR;
}
