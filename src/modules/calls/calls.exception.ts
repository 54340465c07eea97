import { type AppErrorKind, AppException } from '../../common/errors/app.exception.js';

export enum CallsExceptionCode {
  CALL_NOT_FOUND = 'CALL_NOT_FOUND',
  INVALID_FILTER = 'INVALID_FILTER',
}

const KIND: Record<CallsExceptionCode, AppErrorKind> = {
  CALL_NOT_FOUND: 'not_found',
  INVALID_FILTER: 'invalid',
};

export class CallsException extends AppException {
  constructor(code: CallsExceptionCode, message: string) {
    super(code, KIND[code], message);
  }
}
