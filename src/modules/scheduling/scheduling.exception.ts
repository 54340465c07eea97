import { type AppErrorKind, AppException } from '../../common/errors/app.exception.js';

// Messages are sentences an AI agent can read out or act on: server tools pass them straight to
// the LLM, so they say what to do next rather than what failed internally.
export enum SchedulingExceptionCode {
  SERVICE_NOT_FOUND = 'SERVICE_NOT_FOUND',
  EMPLOYEE_NOT_FOUND = 'EMPLOYEE_NOT_FOUND',
  APPOINTMENT_NOT_FOUND = 'APPOINTMENT_NOT_FOUND',
  SERVICE_NOT_OFFERED = 'SERVICE_NOT_OFFERED',
  INVALID_DATE = 'INVALID_DATE',
  INVALID_TIME = 'INVALID_TIME',
  TIME_IN_PAST = 'TIME_IN_PAST',
  TIME_OFF_GRID = 'TIME_OFF_GRID',
  TOO_FAR_AHEAD = 'TOO_FAR_AHEAD',
  OUTSIDE_WORKING_HOURS = 'OUTSIDE_WORKING_HOURS',
  SLOT_TAKEN = 'SLOT_TAKEN',
  INVALID_CUSTOMER = 'INVALID_CUSTOMER',
  INVALID_CATALOGUE = 'INVALID_CATALOGUE',
  NOT_CANCELLABLE = 'NOT_CANCELLABLE',
}

const KIND: Record<SchedulingExceptionCode, AppErrorKind> = {
  SERVICE_NOT_FOUND: 'not_found',
  EMPLOYEE_NOT_FOUND: 'not_found',
  APPOINTMENT_NOT_FOUND: 'not_found',
  SERVICE_NOT_OFFERED: 'invalid',
  INVALID_DATE: 'invalid',
  INVALID_TIME: 'invalid',
  TIME_IN_PAST: 'invalid',
  TIME_OFF_GRID: 'invalid',
  TOO_FAR_AHEAD: 'invalid',
  OUTSIDE_WORKING_HOURS: 'invalid',
  SLOT_TAKEN: 'conflict',
  INVALID_CUSTOMER: 'invalid',
  INVALID_CATALOGUE: 'invalid',
  NOT_CANCELLABLE: 'conflict',
};

export class SchedulingException extends AppException {
  constructor(code: SchedulingExceptionCode, message: string) {
    super(code, KIND[code], message);
  }
}

export const serviceNotFound = () =>
  new SchedulingException(
    SchedulingExceptionCode.SERVICE_NOT_FOUND,
    "I couldn't find that service. Please use the id of one of the services from the services list.",
  );
export const employeeNotFound = () =>
  new SchedulingException(
    SchedulingExceptionCode.EMPLOYEE_NOT_FOUND,
    "I couldn't find that member of staff. Please use the id of someone from the staff list.",
  );
