import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';

export const AUTH_POLICY = 'auth-policy';
/** public: no API key (webhooks bring their own signature guard); admin: platform operator only; tenant: admin or a tenant key. */
export type AuthPolicy = 'public' | 'admin' | 'tenant';

export const Public = () => SetMetadata(AUTH_POLICY, 'public' satisfies AuthPolicy);
export const AdminOnly = () => SetMetadata(AUTH_POLICY, 'admin' satisfies AuthPolicy);
export const TenantAccess = () => SetMetadata(AUTH_POLICY, 'tenant' satisfies AuthPolicy);

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
