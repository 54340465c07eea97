import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { AppErrorKind, AppException } from '../errors/app.exception.js';

const STATUS_BY_KIND: Record<AppErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  too_many: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  upstream: HttpStatus.BAD_GATEWAY,
};

// Readable messages for the unique constraints callers can hit; anything else gets a generic one.
const UNIQUE_MESSAGES: Record<string, string> = {
  UQ_tenants_slug: 'A tenant with this slug already exists',
  UQ_phone_numbers_e164: 'This phone number is already registered',
};

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  errors?: unknown;
  errorId?: string;
  [key: string]: unknown;
}

/**
 * Every error leaves as JSON with a status a caller can act on: module exceptions by their kind,
 * Nest HTTP exceptions as they are, unique violations as 409, and anything unknown as a 500
 * whose `errorId` (the request's correlation id) is also in the log.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception, request);
    if (reply.sent) return;
    reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown, request: FastifyRequest): ErrorBody {
    if (exception instanceof AppException) {
      const statusCode = STATUS_BY_KIND[exception.kind];
      return { statusCode, error: HttpStatus[statusCode] ?? 'Error', message: exception.message, code: exception.code, ...exception.details };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'string') return { statusCode, error: HttpStatus[statusCode] ?? 'Error', message: response };
      return { statusCode, error: HttpStatus[statusCode] ?? 'Error', message: exception.message, ...(response as object) } as ErrorBody;
    }
    if (exception instanceof QueryFailedError) {
      const driverError = exception.driverError as { code?: string; constraint?: string };
      if (driverError.code === '23505') {
        return { statusCode: 409, error: 'Conflict', message: UNIQUE_MESSAGES[driverError.constraint ?? ''] ?? 'The resource already exists', code: 'ALREADY_EXISTS' };
      }
      if (driverError.code === '23503') {
        return { statusCode: 409, error: 'Conflict', message: 'The resource is referenced by, or refers to, something that does not exist', code: 'REFERENCE_CONFLICT' };
      }
      if (driverError.code === '22P02') {
        return { statusCode: 400, error: 'Bad Request', message: 'A value has the wrong format', code: 'INVALID_VALUE' };
      }
    }
    const status = (exception as { statusCode?: number })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Fastify's own errors (body too large, bad JSON, unsupported content type) are the caller's.
      return { statusCode: status, error: HttpStatus[status] ?? 'Error', message: (exception as Error).message };
    }
    const errorId = String(request.id);
    this.logger.error({ err: exception, errorId }, 'Unhandled error');
    return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', errorId };
  }
}
