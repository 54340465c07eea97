import { NotFoundException } from '@nestjs/common';
import type { Principal } from './principal.js';

/**
 * Tenant isolation for routes that name a tenant: the admin may act on any tenant, a tenant key
 * only on its own. Another tenant's id answers 404, exactly like an id that does not exist, so
 * ids do not leak.
 */
export function assertTenantAccess(principal: Principal, tenantId: string): void {
  if (principal.kind === 'tenant' && principal.tenantId !== tenantId) {
    throw new NotFoundException('Tenant not found');
  }
}

/**
 * The tenant a request acts for on routes that do not name one in the path: a tenant key's own
 * tenant, or, for the admin, the `tenantId` it passes explicitly.
 */
export function tenantIdFor(principal: Principal, requestedTenantId?: string): string {
  if (principal.kind === 'tenant') {
    if (requestedTenantId && requestedTenantId !== principal.tenantId) throw new NotFoundException('Tenant not found');
    return principal.tenantId;
  }
  if (!requestedTenantId) throw new NotFoundException('The admin key must name a tenant with tenantId');
  return requestedTenantId;
}
