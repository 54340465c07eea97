import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { AppException } from '../../common/errors/app.exception.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Tenant } from '../tenants/tenant.entity.js';

// Webhooks are verified with the auth token of the account that sent them; looking a subaccount
// token up (and decrypting it) on every status callback would be wasted work, so it is cached.
const CACHE_TTL_MS = 60_000;

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

/** Twilio credentials: the platform account's, or a tenant's own subaccount (encrypted at rest). */
@Injectable()
export class TwilioCredentialsService {
  private readonly box: SecretBox;
  private readonly tokenCache = new Map<string, { token: string | null; tenantId: string | null; at: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
  ) {
    this.box = new SecretBox(config.auth.encryptionKey);
  }

  /**
   * The auth token to verify a webhook whose (signed) body names `accountSid`, and the tenant that
   * subaccount belongs to (null for the platform account). Undefined when the account is unknown.
   */
  async authTokenForAccount(accountSid: string | undefined): Promise<{ authToken: string; tenantId: string | null } | undefined> {
    const platform = this.config.twilio;
    if (!accountSid || accountSid === platform.accountSid) return platform.authToken ? { authToken: platform.authToken, tenantId: null } : undefined;
    const cached = this.tokenCache.get(accountSid);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.token ? { authToken: cached.token, tenantId: cached.tenantId } : undefined;
    const row = await this.tenants
      .createQueryBuilder('t')
      .select(['t.id', 't.twilioAuthTokenEnc'])
      .where('t.twilio_account_sid = :accountSid', { accountSid })
      .getOne();
    const token = row?.twilioAuthTokenEnc ? this.box.decrypt(row.twilioAuthTokenEnc) : null;
    this.tokenCache.set(accountSid, { token, tenantId: row?.id ?? null, at: Date.now() });
    return token ? { authToken: token, tenantId: row!.id } : undefined;
  }

  async credentialsForTenant(tenantId: string): Promise<TwilioCredentials> {
    const row = await this.tenants
      .createQueryBuilder('t')
      .select(['t.id', 't.twilioAccountSid', 't.twilioAuthTokenEnc'])
      .where('t.id = :tenantId', { tenantId })
      .getOne();
    if (row?.twilioAccountSid && row.twilioAuthTokenEnc) return { accountSid: row.twilioAccountSid, authToken: this.box.decrypt(row.twilioAuthTokenEnc) };
    const { accountSid, authToken } = this.config.twilio;
    if (!accountSid || !authToken) throw new AppException('TWILIO_NOT_CONFIGURED', 'unavailable', 'No Twilio account is configured (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)');
    return { accountSid, authToken };
  }

  /** Stores a tenant's own subaccount; the token is encrypted before it reaches the database. */
  async setTenantCredentials(tenantId: string, credentials: TwilioCredentials | null): Promise<void> {
    await this.tenants.update(
      { id: tenantId },
      credentials ? { twilioAccountSid: credentials.accountSid, twilioAuthTokenEnc: this.box.encrypt(credentials.authToken) } : { twilioAccountSid: null, twilioAuthTokenEnc: null },
    );
    this.tokenCache.clear();
  }
}
