import { type AppErrorKind, AppException } from '../../common/errors/app.exception.js';

export enum RealtimeExceptionCode {
  LEAD_NOT_FOUND = 'LEAD_NOT_FOUND',
  TENANT_REQUIRED = 'TENANT_REQUIRED',
  TENANT_NOT_FOUND = 'TENANT_NOT_FOUND',
  INVALID_LAST_EVENT_ID = 'INVALID_LAST_EVENT_ID',
  MISSING_CREDENTIALS = 'MISSING_CREDENTIALS',
  INVALID_STREAM_TOKEN = 'INVALID_STREAM_TOKEN',
  STREAM_TOKEN_SCOPE = 'STREAM_TOKEN_SCOPE',
}

const KIND: Record<RealtimeExceptionCode, AppErrorKind> = {
  LEAD_NOT_FOUND: 'not_found',
  TENANT_REQUIRED: 'invalid',
  TENANT_NOT_FOUND: 'not_found',
  INVALID_LAST_EVENT_ID: 'invalid',
  MISSING_CREDENTIALS: 'unauthenticated',
  INVALID_STREAM_TOKEN: 'unauthenticated',
  STREAM_TOKEN_SCOPE: 'forbidden',
};

export class RealtimeException extends AppException {
  constructor(code: RealtimeExceptionCode, message: string) {
    super(code, KIND[code], message);
  }
}
