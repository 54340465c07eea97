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

// SQLSTATEs for a value the database refused (bad text, number, date, NUL, missing, too big):
// the caller's input, which validation should have caught; never a 500. The value is not echoed.
const REJECTED_VALUE_STATUS: Record<string, number> = {
  '22P02': HttpStatus.BAD_REQUEST, // invalid_text_representation
  '22P05': HttpStatus.BAD_REQUEST, // untranslatable_character (\u0000 in jsonb)
  '22021': HttpStatus.BAD_REQUEST, // character_not_in_repertoire (NUL in text)
  '22001': HttpStatus.BAD_REQUEST, // string_data_right_truncation
  '22003': HttpStatus.BAD_REQUEST, // numeric_value_out_of_range
  '22007': HttpStatus.BAD_REQUEST, // invalid_datetime_format
  '22008': HttpStatus.BAD_REQUEST, // datetime_field_overflow
  '23502': HttpStatus.UNPROCESSABLE_ENTITY, // not_null_violation
  '54001': HttpStatus.UNPROCESSABLE_ENTITY, // statement_too_complex (e.g. jsonb nested too deep)
};

/** The status for a QueryFailedError whose value the database refused, or undefined. */
export function rejectedValueStatus(sqlState: string | undefined): number | undefined {
  return sqlState === undefined ? undefined : REJECTED_VALUE_STATUS[sqlState];
}

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
      const rejected = rejectedValueStatus(driverError.code);
      if (rejected) return { statusCode: rejected, error: HttpStatus[rejected], message: 'A value has the wrong format or is out of range', code: 'INVALID_VALUE' };
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
