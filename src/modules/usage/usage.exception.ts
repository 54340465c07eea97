import { type AppErrorKind, AppException } from '../../common/errors/app.exception.js';

export enum UsageExceptionCode {
  INVALID_RANGE = 'INVALID_RANGE',
}

const KIND: Record<UsageExceptionCode, AppErrorKind> = {
  INVALID_RANGE: 'invalid',
};

export class UsageException extends AppException {
  constructor(code: UsageExceptionCode, message: string) {
    super(code, KIND[code], message);
  }
}
