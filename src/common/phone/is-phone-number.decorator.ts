import { registerDecorator, type ValidationOptions } from 'class-validator';
import { toE164 } from './phone-number.js';

/** A valid phone number in international format (E.164 after normalisation). */
export function IsPhoneNumber(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPhoneNumber',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a valid phone number in international format, e.g. +14155550123', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && toE164(value) !== undefined },
    });
}
