import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { firstRow, jsonObjectOrNull, oneOf, text } from '../../database/sql-row.js';
import type { TenantSettings } from './tenant-settings.types.js';
import { storedTenantSettings } from './tenant-profiles.read-model.js';
import { Tenant, TENANT_STATUSES, type TenantStatus } from './tenant.entity.js';

/** Reads of the tenants table for other modules (the tenants module owns the table). */
@Injectable()
export class TenantsRepository {
  constructor(@InjectRepository(Tenant) private readonly tenants: Repository<Tenant>) {}

  /** The tenant (no credentials); inside `manager`'s transaction when given. Throws when there is none. */
  async getOrFail(tenantId: string, manager: EntityManager = this.tenants.manager): Promise<Tenant> {
    return manager.findOneByOrFail(Tenant, { id: tenantId });
  }

  /** Whether a tenant with this id exists. */
  async exists(tenantId: string): Promise<boolean> {
    return firstRow(await this.tenants.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId]), () => true) ?? false;
  }

  /**
   * The tenant's status, its row locked FOR KEY SHARE for the rest of `manager`'s transaction: the
   * tenant cannot be deleted under the caller, while its settings stay editable. Null: no such tenant.
   */
  async lockStatusForKeyShare(manager: EntityManager, tenantId: string): Promise<TenantStatus | null> {
    return firstRow(await manager.query('SELECT status FROM tenants WHERE id = $1 FOR KEY SHARE', [tenantId]), (r) => oneOf(r, 'status', TENANT_STATUSES));
  }

  /** The tenant's settings (quotas, hours, agent); null: no such tenant. Inside `manager`'s transaction when given. */
  async settingsOf(tenantId: string, manager: EntityManager = this.tenants.manager): Promise<TenantSettings | null> {
    return firstRow(await manager.query('SELECT settings FROM tenants WHERE id = $1', [tenantId]), (r) =>
      storedTenantSettings(jsonObjectOrNull(r, 'settings')),
    );
  }

  /** The tenant's IANA timezone; null: no such tenant. */
  async timezoneOf(tenantId: string, manager: EntityManager = this.tenants.manager): Promise<string | null> {
    return firstRow(await manager.query('SELECT timezone FROM tenants WHERE id = $1', [tenantId]), (r) => text(r, 'timezone'));
  }
}
