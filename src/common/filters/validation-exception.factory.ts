import { BadRequestException, ValidationError } from '@nestjs/common';

export interface FieldError {
  field: string;
  messages: string[];
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** A 400 that names each bad field, e.g. `{ field: 'settings.agent.agentId', messages: [...] }`. */
export function validationExceptionFactory(errors: ValidationError[]): BadRequestException {
  const fieldErrors = flatten(errors);
  const summary = fieldErrors.map((e) => e.messages.join('; ')).join('; ');
  return new BadRequestException({ message: `Validation failed: ${summary}`, errors: fieldErrors });
}
