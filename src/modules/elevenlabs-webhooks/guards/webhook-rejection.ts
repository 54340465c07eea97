import { ForbiddenException, type Logger, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuditService } from '../../../common/audit/audit.service.js';
import type { MetricsService } from '../../../common/metrics/metrics.service.js';

// Reasons that mean "you did not authenticate" (401) rather than "you authenticated wrongly" (403).
const UNAUTHENTICATED = new Set(['missing', 'malformed']);

/**
 * Refuses a provider request the same way everywhere: the reason goes to the log, the audit trail
 * and the rejection metric, never to the caller, who gets a fixed 401 or 403 body.
 */
export function rejectProviderRequest(
  deps: { audit: AuditService; metrics: MetricsService; logger: Logger },
  request: FastifyRequest,
  provider: string,
  reason: string,
): never {
  deps.metrics.webhookRejections.inc({ provider, reason });
  deps.logger.warn({ requestId: request.id, route: request.routeOptions?.url, reason }, `${provider} request refused`);
  void deps.audit.recordDenied(request, 'webhook.rejected', reason, { actorType: 'provider', actorId: provider });
  throw UNAUTHENTICATED.has(reason) ? new UnauthorizedException() : new ForbiddenException();
}
