import { AppException, type AppErrorKind } from '../../common/errors/app.exception.js';

export enum TenantsExceptionCode {
  TENANT_NOT_FOUND = 'TENANT_NOT_FOUND',
  SLUG_TAKEN = 'SLUG_TAKEN',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  PHONE_NUMBER_NOT_FOUND = 'PHONE_NUMBER_NOT_FOUND',
  PHONE_NUMBER_TAKEN = 'PHONE_NUMBER_TAKEN',
  INVALID_PHONE_NUMBER = 'INVALID_PHONE_NUMBER',
}

const KIND: Record<TenantsExceptionCode, AppErrorKind> = {
  TENANT_NOT_FOUND: 'not_found',
  SLUG_TAKEN: 'conflict',
  API_KEY_NOT_FOUND: 'not_found',
  PHONE_NUMBER_NOT_FOUND: 'not_found',
  PHONE_NUMBER_TAKEN: 'conflict',
  INVALID_PHONE_NUMBER: 'invalid',
};

export class TenantsException extends AppException {
  constructor(code: TenantsExceptionCode, message: string) {
    super(code, KIND[code], message);
  }
}
