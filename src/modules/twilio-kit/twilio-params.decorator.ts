import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { validationExceptionFactory } from '../../common/filters/validation-exception.factory.js';

/**
 * The webhook's form fields, validated against `dto`. Twilio adds fields without notice, so
 * unknown ones are allowed (the global pipe forbids them, and does not run on custom decorators);
 * the signature guard has already seen every field as received. Bad input → 400 naming the field.
 */
export const TwilioParams = createParamDecorator((dto: ClassConstructor<object>, context: ExecutionContext): object => {
  const body = context.switchToHttp().getRequest<FastifyRequest>().body;
  const source = body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : {};
  const params = plainToInstance(dto, source);
  const errors = validateSync(params, { whitelist: false, forbidNonWhitelisted: false, forbidUnknownValues: false });
  if (errors.length > 0) throw validationExceptionFactory(errors);
  return params;
});
