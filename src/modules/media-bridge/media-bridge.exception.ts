import { AppException, type AppErrorKind } from '../../common/errors/app.exception.js';
import { WS_POLICY_VIOLATION } from './media-bridge.constants.js';
import { STATUS_BY_KIND } from '../../common/errors/error-status.js';

export enum MediaBridgeExceptionCode {
  SOURCE_NOT_ALLOWED = 'SOURCE_NOT_ALLOWED',
  MISSING_SIGNATURE = 'MISSING_SIGNATURE',
  BAD_SIGNATURE = 'BAD_SIGNATURE',
  START_TIMEOUT = 'START_TIMEOUT',
  MALFORMED_START = 'MALFORMED_START',
  TOKEN_MALFORMED = 'TOKEN_MALFORMED',
  TOKEN_BAD_SIGNATURE = 'TOKEN_BAD_SIGNATURE',
  TOKEN_EXPIRED = 'TOKEN_EXPIRED',
  TOKEN_CALL_MISMATCH = 'TOKEN_CALL_MISMATCH',
  TOKEN_REUSED = 'TOKEN_REUSED',
  TENANT_MISMATCH = 'TENANT_MISMATCH',
  AT_CAPACITY = 'AT_CAPACITY',
  DRAINING = 'DRAINING',
}

const KIND: Record<MediaBridgeExceptionCode, AppErrorKind> = {
  SOURCE_NOT_ALLOWED: 'forbidden',
  MISSING_SIGNATURE: 'unauthenticated',
  BAD_SIGNATURE: 'forbidden',
  START_TIMEOUT: 'invalid',
  MALFORMED_START: 'invalid',
  TOKEN_MALFORMED: 'forbidden',
  TOKEN_BAD_SIGNATURE: 'forbidden',
  TOKEN_EXPIRED: 'forbidden',
  TOKEN_CALL_MISMATCH: 'forbidden',
  TOKEN_REUSED: 'conflict',
  TENANT_MISMATCH: 'forbidden',
  AT_CAPACITY: 'unavailable',
  DRAINING: 'unavailable',
};

/** A media stream we refuse. At the upgrade it maps to an HTTP status, afterwards to close 1008. */
export class MediaBridgeException extends AppException {
  constructor(
    override readonly code: MediaBridgeExceptionCode,
    message: string,
  ) {
    super(code, KIND[code], message);
  }

  /** Metric/audit label, e.g. token_reused. */
  get reason(): string {
    return this.code.toLowerCase();
  }

  get httpStatus(): number {
    return STATUS_BY_KIND[this.kind];
  }

  get closeCode(): number {
    return WS_POLICY_VIOLATION;
  }
}
