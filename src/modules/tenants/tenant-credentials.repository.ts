import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { TenantCredentialsStore } from '../provider-clients/tenant-credentials-store.port.js';
import { Tenant } from './tenant.entity.js';

/**
 * The tenant's own provider credentials (tenants.twilio_account_sid, twilio_auth_token_enc,
 * elevenlabs_api_key_enc), as the provider clients read and write them through their port. The
 * secrets come and go encrypted: this repository never sees them in clear.
 */
@Injectable()
export class TenantCredentialsRepository implements TenantCredentialsStore {
  constructor(@InjectRepository(Tenant) private readonly tenants: Repository<Tenant>) {}

  async elevenLabsApiKeyEnc(tenantId: string): Promise<string | null> {
    const row = await this.tenants.createQueryBuilder('t').select(['t.id', 't.elevenlabsApiKeyEnc']).where('t.id = :tenantId', { tenantId }).getOne();
    return row?.elevenlabsApiKeyEnc ?? null;
  }

  async setElevenLabsApiKeyEnc(tenantId: string, apiKeyEnc: string | null): Promise<void> {
    await this.tenants.update({ id: tenantId }, { elevenlabsApiKeyEnc: apiKeyEnc });
  }

  async twilioTokenForAccount(accountSid: string): Promise<{ tenantId: string; authTokenEnc: string | null } | null> {
    const row = await this.tenants
      .createQueryBuilder('t')
      .select(['t.id', 't.twilioAuthTokenEnc'])
      .where('t.twilio_account_sid = :accountSid', { accountSid })
      .getOne();
    return row ? { tenantId: row.id, authTokenEnc: row.twilioAuthTokenEnc } : null;
  }

  async twilioCredentials(tenantId: string): Promise<{ accountSid: string | null; authTokenEnc: string | null } | null> {
    const row = await this.tenants
      .createQueryBuilder('t')
      .select(['t.id', 't.twilioAccountSid', 't.twilioAuthTokenEnc'])
      .where('t.id = :tenantId', { tenantId })
      .getOne();
    return row ? { accountSid: row.twilioAccountSid, authTokenEnc: row.twilioAuthTokenEnc } : null;
  }

  async setTwilioCredentials(tenantId: string, credentials: { accountSid: string; authTokenEnc: string } | null): Promise<void> {
    await this.tenants.update(
      { id: tenantId },
      credentials
        ? { twilioAccountSid: credentials.accountSid, twilioAuthTokenEnc: credentials.authTokenEnc }
        : { twilioAccountSid: null, twilioAuthTokenEnc: null },
    );
  }
}
