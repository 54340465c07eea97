import { type AppErrorKind, AppException } from '../../common/errors/app.exception.js';

export enum MessagingExceptionCode {
  LEAD_NOT_FOUND = 'LEAD_NOT_FOUND',
  RECIPIENT_REQUIRED = 'RECIPIENT_REQUIRED',
  INVALID_RECIPIENT = 'INVALID_RECIPIENT',
  OPTED_OUT = 'OPTED_OUT',
  NO_SENDER_NUMBER = 'NO_SENDER_NUMBER',
  SEND_FAILED = 'SEND_FAILED',
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
}

const KIND: Record<MessagingExceptionCode, AppErrorKind> = {
  LEAD_NOT_FOUND: 'not_found',
  RECIPIENT_REQUIRED: 'invalid',
  INVALID_RECIPIENT: 'invalid',
  OPTED_OUT: 'conflict',
  NO_SENDER_NUMBER: 'conflict',
  SEND_FAILED: 'upstream',
  QUOTA_EXCEEDED: 'conflict',
};

export class MessagingException extends AppException {
  constructor(code: MessagingExceptionCode, message: string) {
    super(code, KIND[code], message);
  }
}
