import { type AppErrorKind, AppException } from '../../common/errors/app.exception.js';

export enum LeadsExceptionCode {
  LEAD_NOT_FOUND = 'LEAD_NOT_FOUND',
  INVALID_CURSOR = 'INVALID_CURSOR',
}

const KIND: Record<LeadsExceptionCode, AppErrorKind> = {
  LEAD_NOT_FOUND: 'not_found',
  INVALID_CURSOR: 'invalid',
};

export class LeadsException extends AppException {
  constructor(code: LeadsExceptionCode, message: string) {
    super(code, KIND[code], message);
  }
}
