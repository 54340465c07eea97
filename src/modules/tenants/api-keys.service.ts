import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { generateSecret, sha256Hex } from '../../common/crypto/tokens.js';
import { dateOrNull, firstRow, mapRows, text } from '../../database/sql-row.js';
import { TenantApiKey } from './tenant-api-key.entity.js';
import { TenantsException, TenantsExceptionCode } from './tenants.exception.js';
import type { ApiKeyAuthenticator, AuthenticatedKey } from '../../common/auth/api-key-authenticator.port.js';

const KEY_PREFIX = 'sb_live_';
// Writing last_used_at on every request would turn each read into a write; once a minute is enough.
const LAST_USED_RESOLUTION_MS = 60_000;

export type { AuthenticatedKey } from '../../common/auth/api-key-authenticator.port.js';

@Injectable()
export class ApiKeysService implements ApiKeyAuthenticator {
  constructor(@InjectRepository(TenantApiKey) private readonly keys: Repository<TenantApiKey>) {}

  async create(tenantId: string, name: string): Promise<{ id: string; name: string; key: string }> {
    const key = generateSecret(KEY_PREFIX);
    const saved = await this.keys.save(this.keys.create({ tenantId, name: name.trim(), prefix: key.slice(0, 12), keyHash: sha256Hex(key) }));
    return { id: saved.id, name: saved.name, key };
  }

  list(tenantId: string): Promise<TenantApiKey[]> {
    return this.keys.find({ where: { tenantId }, order: { createdAt: 'DESC' } });
  }

  async revoke(tenantId: string, keyId: string): Promise<void> {
    const result = await this.keys.update({ id: keyId, tenantId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    if (!result.affected) {
      const exists = await this.keys.existsBy({ id: keyId, tenantId });
      if (!exists) throw new TenantsException(TenantsExceptionCode.API_KEY_NOT_FOUND, 'API key not found');
    }
  }

  /** Of these key ids, the ones still live (not revoked, not deleted). */
  async liveKeyIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.keys.createQueryBuilder('k').select('k.id', 'id').where('k.id = ANY(:ids) AND k.revoked_at IS NULL', { ids }).getRawMany();
    return new Set(mapRows(rows, (r) => text(r, 'id')));
  }

  /** Finds the live key and its tenant; undefined for unknown or revoked keys. */
  async authenticate(key: string): Promise<AuthenticatedKey | undefined> {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const rows = await this.keys
      .createQueryBuilder('k')
      .innerJoin('k.tenant', 't')
      .select(['k.id AS id', 'k.tenant_id AS tenant_id', 'k.last_used_at AS last_used_at', 't.status AS status'])
      .where('k.key_hash = :hash AND k.revoked_at IS NULL', { hash: sha256Hex(key) })
      .getRawMany();
    const row = firstRow(rows, (r) => ({
      id: text(r, 'id'),
      tenantId: text(r, 'tenant_id'),
      lastUsedAt: dateOrNull(r, 'last_used_at'),
      status: text(r, 'status'),
    }));
    if (!row) return undefined;
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.keys.update({ id: row.id }, { lastUsedAt: () => 'now()' });
    }
    return { apiKeyId: row.id, tenantId: row.tenantId, tenantStatus: row.status };
  }
}
