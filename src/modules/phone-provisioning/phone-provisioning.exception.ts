import { type AppErrorKind, AppException } from '../../common/errors/app.exception.js';

export enum PhoneProvisioningExceptionCode {
  INVALID_TARGET = 'INVALID_TARGET',
  TENANT_REQUIRED = 'TENANT_REQUIRED',
  TENANT_NOT_FOUND = 'TENANT_NOT_FOUND',
  TENANT_SUSPENDED = 'TENANT_SUSPENDED',
  PHONE_NUMBER_NOT_FOUND = 'PHONE_NUMBER_NOT_FOUND',
  ASSIGNED_TO_ANOTHER_TENANT = 'ASSIGNED_TO_ANOTHER_TENANT',
  PLATFORM_NUMBER = 'PLATFORM_NUMBER',
  NOT_ASSIGNED = 'NOT_ASSIGNED',
  CONCURRENT_CHANGE = 'CONCURRENT_CHANGE',
  NOT_ON_TWILIO = 'NOT_ON_TWILIO',
  TWILIO_SID_MISMATCH = 'TWILIO_SID_MISMATCH',
  TWILIO_SID_IN_USE = 'TWILIO_SID_IN_USE',
  NOT_SAVED = 'NOT_SAVED',
  TWILIO_ERROR = 'TWILIO_ERROR',
  TWILIO_TIMEOUT = 'TWILIO_TIMEOUT',
  UNSAFE_WEBHOOK_URL = 'UNSAFE_WEBHOOK_URL',
}

const KIND: Record<PhoneProvisioningExceptionCode, AppErrorKind> = {
  INVALID_TARGET: 'invalid',
  TENANT_REQUIRED: 'invalid',
  TENANT_NOT_FOUND: 'not_found',
  TENANT_SUSPENDED: 'conflict',
  PHONE_NUMBER_NOT_FOUND: 'not_found',
  ASSIGNED_TO_ANOTHER_TENANT: 'conflict',
  PLATFORM_NUMBER: 'forbidden',
  NOT_ASSIGNED: 'conflict',
  CONCURRENT_CHANGE: 'conflict',
  NOT_ON_TWILIO: 'not_found',
  TWILIO_SID_MISMATCH: 'conflict',
  TWILIO_SID_IN_USE: 'conflict',
  NOT_SAVED: 'unavailable',
  TWILIO_ERROR: 'upstream',
  TWILIO_TIMEOUT: 'upstream',
  UNSAFE_WEBHOOK_URL: 'conflict',
};

export class PhoneProvisioningException extends AppException {
  declare readonly code: PhoneProvisioningExceptionCode;

  constructor(code: PhoneProvisioningExceptionCode, message: string, details?: Record<string, unknown>) {
    super(code, KIND[code], message, details);
  }
}

/** Twilio's own error, as its RestException carries it (Twilio REST API, https://www.twilio.com/docs/usage/api: `{code, message, more_info, status}`). */
export interface TwilioErrorInfo {
  status: number | null;
  code: number | null;
  message: string;
  moreInfo: string | null;
}

/**
 * Twilio refused (a definite 4xx: nothing changed there), failed (5xx or network) or did not
 * answer in time. For the last two an update may have landed anyway.
 */
export class TwilioProvisioningError extends PhoneProvisioningException {
  constructor(
    readonly twilio: TwilioErrorInfo,
    readonly reason: 'refused' | 'failed' | 'timeout',
    readonly operation: 'list' | 'fetch' | 'update',
    /** For a timeout: the request still in flight, so its outcome can be reconciled once it settles. */
    readonly pending?: Promise<unknown>,
  ) {
    super(
      reason === 'timeout' ? PhoneProvisioningExceptionCode.TWILIO_TIMEOUT : PhoneProvisioningExceptionCode.TWILIO_ERROR,
      reason === 'timeout'
        ? `Twilio did not answer the ${operation} in time`
        : `Twilio ${reason === 'refused' ? 'refused' : 'failed'} the ${operation}: ${twilio.message}${twilio.code ? ` (Twilio error ${twilio.code})` : ''}`,
      { twilio },
    );
  }

  /** Whether an update may have been applied on Twilio despite the error. */
  get mayHaveApplied(): boolean {
    return this.operation === 'update' && this.reason !== 'refused';
  }
}
