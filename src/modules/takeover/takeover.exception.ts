import { type AppErrorKind, AppException } from '../../common/errors/app.exception.js';

export enum TakeoverExceptionCode {
  LEAD_NOT_FOUND = 'LEAD_NOT_FOUND',
  CALL_NOT_FOUND = 'CALL_NOT_FOUND',
  CALL_NOT_LIVE = 'CALL_NOT_LIVE',
  NO_HANDOFF_NUMBER = 'NO_HANDOFF_NUMBER',
  INVALID_NUMBER = 'INVALID_NUMBER',
  TRANSFER_FAILED = 'TRANSFER_FAILED',
}

const KIND: Record<TakeoverExceptionCode, AppErrorKind> = {
  LEAD_NOT_FOUND: 'not_found',
  CALL_NOT_FOUND: 'not_found',
  CALL_NOT_LIVE: 'conflict',
  NO_HANDOFF_NUMBER: 'conflict',
  INVALID_NUMBER: 'invalid',
  TRANSFER_FAILED: 'upstream',
};

export class TakeoverException extends AppException {
  constructor(code: TakeoverExceptionCode, message: string) {
    super(code, KIND[code], message);
  }
}
