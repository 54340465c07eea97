import { HttpException } from '@nestjs/common';
import type { AppErrorKind } from '../../common/errors/app.exception.js';
import { AppException } from '../../common/errors/app.exception.js';

// The same kind → status mapping as the global exception filter, for the audit trail's status_code.
const STATUS: Record<AppErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many: 429,
  unavailable: 503,
  upstream: 502,
};

export function statusForError(err: unknown): number {
  if (err instanceof AppException) return STATUS[err.kind] ?? 500;
  if (err instanceof HttpException) return err.getStatus();
  return 500;
}
