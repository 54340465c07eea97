import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { AppException } from '../errors/app.exception.js';
import { STATUS_BY_KIND } from '../errors/error-status.js';
import { ErrorBody, errorBody, publicDetails } from '../errors/error-body.js';
import type { FieldErrorDto } from '../errors/error-response.dto.js';
import { fastifyErrorBody } from '../errors/fastify-error-body.js';
import { isJsonObject } from '../json/json-object.js';
import { pgErrorOf, type PgDriverError } from '../../database/pg-errors.js';

// Readable messages for the unique constraints callers can hit; anything else gets a generic one.
const UNIQUE_MESSAGES: Record<string, string> = {
  UQ_tenants_slug: 'A tenant with this slug already exists',
  UQ_phone_numbers_e164: 'This phone number is already registered',
};

// SQLSTATEs for a value the database refused (bad text, number, date, NUL, missing, too big):
// the caller's input, which validation should have caught; never a 500. The value is not echoed.
const REJECTED_VALUE_STATUS: Record<string, number> = {
  '22P02': 400, // invalid_text_representation
  '22P05': 400, // untranslatable_character (\u0000 in jsonb)
  '22021': 400, // character_not_in_repertoire (NUL in text)
  '22001': 400, // string_data_right_truncation
  '22003': 400, // numeric_value_out_of_range
  '22007': 400, // invalid_datetime_format
  '22008': 400, // datetime_field_overflow
  '23502': 422, // not_null_violation
  '54001': 422, // statement_too_complex (e.g. jsonb nested too deep)
};

/** The status for a QueryFailedError whose value the database refused, or undefined. */
export function rejectedValueStatus(sqlState: string | undefined): number | undefined {
  return sqlState === undefined ? undefined : REJECTED_VALUE_STATUS[sqlState];
}

/** Database errors that are the caller's doing; undefined for the rest (they are 500s). */
function queryErrorBody(driverError: PgDriverError): ErrorBody | undefined {
  switch (driverError.code) {
    case '23505':
      return errorBody(409, 'ALREADY_EXISTS', UNIQUE_MESSAGES[driverError.constraint ?? ''] ?? 'The resource already exists');
    case '23503':
      return errorBody(409, 'REFERENCE_CONFLICT', 'The resource is referenced by, or refers to, something that does not exist');
    default: {
      const status = rejectedValueStatus(driverError.code);
      if (status === undefined) return undefined;
      return errorBody(
        status,
        'INVALID_VALUE',
        status === 400
          ? 'A value has the wrong format, is out of range or contains characters that cannot be stored'
          : 'A required value is missing, or a value is too complex to store',
      );
    }
  }
}

// Our exceptions' details (validation-exception.factory.ts): `{ field, messages }` per field.
function isFieldErrorList(value: unknown): value is FieldErrorDto[] {
  const isFieldError = (d: unknown) =>
    isJsonObject(d) && typeof d.field === 'string' && Array.isArray(d.messages) && d.messages.every((m) => typeof m === 'string');
  return Array.isArray(value) && value.every(isFieldError);
}

/** A Nest HttpException's response is a string or `{ message, code?, details? }` (ours) or Nest's `{ message, error, statusCode }`. */
function httpExceptionBody(exception: HttpException): ErrorBody {
  const statusCode = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') return errorBody(statusCode, undefined, response);
  const { message, code, details }: { message?: unknown; code?: unknown; details?: unknown } = response;
  const text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
  return errorBody(statusCode, typeof code === 'string' ? code : undefined, text, { details: isFieldErrorList(details) ? details : undefined });
}

/**
 * Every error leaves in one shape, `{ statusCode, error, code, message, details?, errorId? }`
 * (ErrorResponseDto): module exceptions by their kind, Nest HTTP exceptions by their status,
 * Fastify's own refusals (413, 415, bad JSON), unique violations as 409, and anything unknown as
 * a 500 whose `errorId` (the request's correlation id) is also in the log and nothing else.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception, request);
    // Any 5xx names the request, so a caller can quote it and the log line can be found.
    if (body.statusCode >= 500 && !body.errorId) body.errorId = String(request.id);
    if (reply.sent) return;
    reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown, request: FastifyRequest): ErrorBody {
    if (exception instanceof AppException)
      return errorBody(STATUS_BY_KIND[exception.kind], exception.code, exception.message, publicDetails(exception.details));
    if (exception instanceof HttpException) return fastifyErrorBody(exception.cause, request) ?? httpExceptionBody(exception);
    if (exception instanceof QueryFailedError) {
      const driverError = pgErrorOf(exception);
      const body = driverError && queryErrorBody(driverError);
      if (body) return body;
    }
    const fastifyBody = fastifyErrorBody(exception, request);
    if (fastifyBody) return fastifyBody;
    const errorId = String(request.id);
    this.logger.error({ err: exception, errorId }, 'Unhandled error');
    return errorBody(500, 'INTERNAL_ERROR', `Internal server error; quote errorId ${errorId} when reporting it`, { errorId });
  }
}
