import { registerDecorator, type ValidationOptions } from 'class-validator';
import { toE164 } from './phone-number.js';

/** A valid phone number in international format (E.164 after normalisation). */
export function IsPhoneNumber(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    if (typeof propertyName !== 'string') throw new TypeError('@IsPhoneNumber() goes on a property with a string name');
    registerDecorator({
      name: 'isPhoneNumber',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be a valid phone number in international format, e.g. +14155550123', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && toE164(value) !== undefined },
    });
  };
}
