import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { firstRow, oneOf, text } from '../../database/sql-row.js';
import { Tenant, TENANT_STATUSES, type TenantStatus } from './tenant.entity.js';

/** Reads of the tenants table for other modules (the tenants module owns the table). */
@Injectable()
export class TenantsRepository {
  constructor(@InjectRepository(Tenant) private readonly tenants: Repository<Tenant>) {}

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

  /** The tenant's IANA timezone; null: no such tenant. */
  async timezoneOf(tenantId: string, manager: EntityManager = this.tenants.manager): Promise<string | null> {
    return firstRow(await manager.query('SELECT timezone FROM tenants WHERE id = $1', [tenantId]), (r) => text(r, 'timezone'));
  }
}
