import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Page, paginate } from '../../common/pagination/cursor.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { Tenant, TenantStatus } from './tenant.entity.js';
import { TenantsException, TenantsExceptionCode } from './tenants.exception.js';
import { isUniqueViolation } from '../../database/pg-errors.js';
import { mapRows, text } from '../../database/sql-row.js';

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return slug || 'tenant';
}

@Injectable()
export class TenantsService {
  constructor(@InjectRepository(Tenant) private readonly tenants: Repository<Tenant>) {}

  async create(dto: CreateTenantDto): Promise<Tenant> {
    const tenant = this.tenants.create({
      name: dto.name.trim(),
      slug: dto.slug ?? slugify(dto.name),
      timezone: dto.timezone ?? 'UTC',
      settings: dto.settings ?? {},
      status: 'active',
    });
    try {
      return await this.tenants.save(tenant);
    } catch (err) {
      if (isUniqueViolation(err, 'UQ_tenants_slug')) {
        throw new TenantsException(TenantsExceptionCode.SLUG_TAKEN, `The slug "${tenant.slug}" is already taken: choose another slug`);
      }
      throw err;
    }
  }

  list(opts: { limit?: number; cursor?: string }): Promise<Page<Tenant>> {
    return paginate(this.tenants.createQueryBuilder('t'), { alias: 't', timeColumn: 'created_at', timeProperty: 'createdAt', ...opts });
  }

  async get(id: string): Promise<Tenant> {
    const tenant = await this.tenants.findOneBy({ id });
    if (!tenant) throw new TenantsException(TenantsExceptionCode.TENANT_NOT_FOUND, 'Tenant not found');
    return tenant;
  }

  async update(id: string, dto: UpdateTenantDto): Promise<Tenant> {
    const tenant = await this.get(id);
    if (dto.name !== undefined) tenant.name = dto.name.trim();
    if (dto.timezone !== undefined) tenant.timezone = dto.timezone;
    if (dto.settings !== undefined) tenant.settings = { ...tenant.settings, ...dto.settings };
    return this.tenants.save(tenant);
  }

  /** Of these tenant ids, the ones that exist and are active. */
  /** Stores the SHA-256 of the tenant's server-tool secret (null: none); false when there is no such tenant. */
  async setToolSecretHash(tenantId: string, hash: string | null): Promise<boolean> {
    const result = await this.tenants.update({ id: tenantId }, { toolSecretHash: hash });
    return (result.affected ?? 0) > 0;
  }

  /** The tenant whose server-tool secret hashes to `hash` (an indexed lookup, no secret comparison). */
  findByToolSecretHash(hash: string): Promise<Pick<Tenant, 'id' | 'name' | 'timezone' | 'status'> | null> {
    return this.tenants.findOne({ select: { id: true, name: true, timezone: true, status: true }, where: { toolSecretHash: hash } });
  }

  async activeTenantIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.tenants.createQueryBuilder('t').select('t.id', 'id').where(`t.id = ANY(:ids) AND t.status = 'active'`, { ids }).getRawMany();
    return new Set(mapRows(rows, (r) => text(r, 'id')));
  }

  async setStatus(id: string, status: TenantStatus): Promise<Tenant> {
    const tenant = await this.get(id);
    tenant.status = status;
    return this.tenants.save(tenant);
  }
}
