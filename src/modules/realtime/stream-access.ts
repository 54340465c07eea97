import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RealtimeException, RealtimeExceptionCode } from './realtime.exception.js';
import type { StreamCredential } from './sse-connection.js';

/** Who opened a stream: the admin key, a tenant API key, or a stream token (maybe bound to one lead). */
export type StreamAccess =
  | { kind: 'admin' }
  | { kind: 'tenant'; tenantId: string; via: 'api-key'; apiKeyId: string; leadId: null }
  | { kind: 'tenant'; tenantId: string; via: 'stream-token'; leadId: string | null };

declare module 'fastify' {
  interface FastifyRequest {
    streamAccess?: StreamAccess;
  }
}

export const CurrentStreamAccess = createParamDecorator((_data: unknown, ctx: ExecutionContext): StreamAccess => {
  const access = ctx.switchToHttp().getRequest<FastifyRequest>().streamAccess;
  if (!access) throw new Error('CurrentStreamAccess used on a route without StreamAuthGuard');
  return access;
});

/** What must stay valid for a stream opened with `access` to stay open. */
export function credentialOf(access: StreamAccess): StreamCredential {
  if (access.kind === 'admin') return { apiKeyId: null, requiresActiveTenant: false };
  return { apiKeyId: access.via === 'api-key' ? access.apiKeyId : null, requiresActiveTenant: true };
}

/**
 * The tenant a stream is for: the caller's own, or for the admin the `tenantId` it names. Another
 * tenant's id answers 404, as everywhere else (ids do not leak).
 */
export function streamTenantId(access: StreamAccess, requested?: string): string {
  if (access.kind === 'tenant') {
    if (requested && requested !== access.tenantId) throw new RealtimeException(RealtimeExceptionCode.TENANT_NOT_FOUND, 'Tenant not found');
    return access.tenantId;
  }
  if (!requested)
    throw new RealtimeException(RealtimeExceptionCode.TENANT_REQUIRED, 'The admin key acts for no tenant by itself: pass tenantId (a tenant UUID)');
  return requested;
}
