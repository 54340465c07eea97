import { type AppErrorKind, AppException } from '../../common/errors/app.exception.js';

export enum OutboundCallsExceptionCode {
  INVALID_NUMBER = 'INVALID_NUMBER',
  TARGET_REQUIRED = 'TARGET_REQUIRED',
  LEAD_NOT_FOUND = 'LEAD_NOT_FOUND',
  LEAD_OPTED_OUT = 'LEAD_OPTED_OUT',
  NO_CALLER_ID = 'NO_CALLER_ID',
  OUT_OF_HOURS = 'OUT_OF_HOURS',
  FORCE_ADMIN_ONLY = 'FORCE_ADMIN_ONLY',
  TENANT_SUSPENDED = 'TENANT_SUSPENDED',
  AGENT_NOT_CONFIGURED = 'AGENT_NOT_CONFIGURED',
  CONCURRENCY_QUOTA = 'CONCURRENCY_QUOTA',
  OUTBOUND_QUOTA = 'OUTBOUND_QUOTA',
  MINUTES_QUOTA = 'MINUTES_QUOTA',
}

const KIND: Record<OutboundCallsExceptionCode, AppErrorKind> = {
  INVALID_NUMBER: 'invalid',
  TARGET_REQUIRED: 'invalid',
  LEAD_NOT_FOUND: 'not_found',
  LEAD_OPTED_OUT: 'conflict',
  NO_CALLER_ID: 'invalid',
  OUT_OF_HOURS: 'conflict',
  FORCE_ADMIN_ONLY: 'forbidden',
  TENANT_SUSPENDED: 'conflict',
  AGENT_NOT_CONFIGURED: 'conflict',
  // A full line is temporary (429: retry later); a spent monthly allowance is not (409).
  CONCURRENCY_QUOTA: 'too_many',
  OUTBOUND_QUOTA: 'conflict',
  MINUTES_QUOTA: 'conflict',
};

export class OutboundCallsException extends AppException {
  constructor(code: OutboundCallsExceptionCode, message: string) {
    super(code, KIND[code], message);
  }
}
