import { BadRequestException, type ValidationError } from '@nestjs/common';
import type { FieldErrorDto } from '../errors/error-response.dto.js';

export type FieldError = FieldErrorDto;

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** A 400 that names each bad field in `details`, e.g. `{ field: 'settings.agent.agentId', messages: [...] }`. */
export function validationExceptionFactory(errors: ValidationError[]): BadRequestException {
  const details = flatten(errors);
  const summary = details.map((e) => e.messages.join('; ')).join('; ');
  return new BadRequestException({ code: 'VALIDATION_FAILED', message: `Validation failed: ${summary}`, details });
}
