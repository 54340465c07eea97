import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { generateSecret, sha256Hex } from '../../../common/crypto/tokens.js';
import { returningRows } from '../../../database/returning-rows.js';

export const TOOL_SECRET_HEADER = 'x-switchboard-tool-secret';
const PREFIX = 'sbt_';

export interface ToolTenant {
  id: string;
  name: string;
  timezone: string;
  status: string;
}

/**
 * The per-tenant secret ElevenLabs sends when it calls the tenant's server tools. Only its SHA-256
 * is stored (tenants.tool_secret_hash, unique), so a request is authenticated by an indexed
 * lookup of the hash: no secret is compared byte by byte, and none can be read back.
 */
@Injectable()
export class ToolSecretService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A new secret for the tenant (the old one stops working at once); shown to the caller only now. */
  async rotate(tenantId: string): Promise<string | undefined> {
    const secret = generateSecret(PREFIX, 32);
    const rows = returningRows(
      await this.dataSource.query('UPDATE tenants SET tool_secret_hash = $2, updated_at = now() WHERE id = $1 RETURNING id', [tenantId, sha256Hex(secret)]),
    );
    return rows.length > 0 ? secret : undefined;
  }

  async revoke(tenantId: string): Promise<boolean> {
    const rows = returningRows(
      await this.dataSource.query('UPDATE tenants SET tool_secret_hash = NULL, updated_at = now() WHERE id = $1 RETURNING id', [tenantId]),
    );
    return rows.length > 0;
  }

  async authenticate(secret: string): Promise<ToolTenant | undefined> {
    if (!secret.startsWith(PREFIX) || secret.length > 200) return undefined;
    const rows: ToolTenant[] = await this.dataSource.query('SELECT id, name, timezone, status FROM tenants WHERE tool_secret_hash = $1', [sha256Hex(secret)]);
    return rows[0];
  }
}
