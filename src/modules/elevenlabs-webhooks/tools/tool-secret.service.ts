import { Injectable } from '@nestjs/common';
import { generateSecret, sha256Hex } from '../../../common/crypto/tokens.js';
import { TenantsService } from '../../tenants/tenants.service.js';

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
  constructor(private readonly tenants: TenantsService) {}

  /** A new secret for the tenant (the old one stops working at once); shown to the caller only now. */
  async rotate(tenantId: string): Promise<string | undefined> {
    const secret = generateSecret(PREFIX, 32);
    return (await this.tenants.setToolSecretHash(tenantId, sha256Hex(secret))) ? secret : undefined;
  }

  revoke(tenantId: string): Promise<boolean> {
    return this.tenants.setToolSecretHash(tenantId, null);
  }

  async authenticate(secret: string): Promise<ToolTenant | undefined> {
    if (!secret.startsWith(PREFIX) || secret.length > 200) return undefined;
    return (await this.tenants.findByToolSecretHash(sha256Hex(secret))) ?? undefined;
  }
}
