import { BadRequestException, NotFoundException } from '@nestjs/common';
import type { Principal } from './principal.js';

const tenantNotFound = () => new NotFoundException({ code: 'TENANT_NOT_FOUND', message: 'Tenant not found' });

/**
 * Tenant isolation for routes that name a tenant: the admin may act on any tenant, a tenant key
 * only on its own. Another tenant's id answers 404, exactly like an id that does not exist, so
 * ids do not leak.
 */
export function assertTenantAccess(principal: Principal, tenantId: string): void {
  if (principal.kind === 'tenant' && principal.tenantId !== tenantId) throw tenantNotFound();
}

/**
 * The tenant a request acts for on routes that do not name one in the path: a tenant key's own
 * tenant, or, for the admin, the `tenantId` it passes explicitly. The admin forgetting it is a
 * 400 that says so, not a 404: nothing was looked up.
 */
export function tenantIdFor(principal: Principal, requestedTenantId?: string): string {
  if (principal.kind === 'tenant') {
    if (requestedTenantId && requestedTenantId !== principal.tenantId) throw tenantNotFound();
    return principal.tenantId;
  }
  if (!requestedTenantId) {
    throw new BadRequestException({
      code: 'TENANT_REQUIRED',
      message: 'The admin key acts for no tenant by itself: pass tenantId (a tenant UUID) in the query string, or in the body of a POST',
    });
  }
  return requestedTenantId;
}
