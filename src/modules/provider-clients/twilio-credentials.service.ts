import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { AppException } from '../../common/errors/app.exception.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { TENANT_CREDENTIALS_STORE, type TenantCredentialsStore } from './tenant-credentials-store.port.js';

// Webhooks are verified with the auth token of the account that sent them; looking a subaccount
// token up (and decrypting it) on every status callback would be wasted work, so it is cached.
// Bounded: every well-formed AccountSid anyone sends gets an entry (unknown ones too).
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 10_000;
// The token the database last confirmed for a subaccount, kept for verifying that subaccount's
// webhooks while the database cannot be asked (degraded mode, see TwilioSignatureGuard). Refreshed
// by every successful lookup, dropped when the account or token goes; a rotation made on another
// instance reaches this one within CACHE_TTL_MS of the next successful lookup, and any stale token
// is forgotten after this long at most.
const LAST_CONFIRMED_TTL_MS = 15 * 60_000;

interface AccountToken {
  authToken: string;
  tenantId: string | null;
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

/** Twilio credentials: the platform account's, or a tenant's own subaccount (encrypted at rest). */
@Injectable()
export class TwilioCredentialsService {
  private readonly box: SecretBox;
  private readonly tokenCache = new LRUCache<string, { token: string | null; tenantId: string | null }>({ max: CACHE_MAX_ENTRIES, ttl: CACHE_TTL_MS });
  private readonly lastConfirmed = new LRUCache<string, AccountToken>({ max: CACHE_MAX_ENTRIES, ttl: LAST_CONFIRMED_TTL_MS });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TENANT_CREDENTIALS_STORE) private readonly store: TenantCredentialsStore,
  ) {
    this.box = new SecretBox(config.auth.encryptionKey);
  }

  /**
   * The auth token to verify a webhook whose (signed) body names `accountSid`, and the tenant that
   * subaccount belongs to (null for the platform account). Undefined when the account is unknown.
   */
  async authTokenForAccount(accountSid: string | undefined): Promise<AccountToken | undefined> {
    const platform = this.config.twilio;
    if (!accountSid || accountSid === platform.accountSid) return platform.authToken ? { authToken: platform.authToken, tenantId: null } : undefined;
    const cached = this.tokenCache.get(accountSid);
    if (cached) return cached.token ? { authToken: cached.token, tenantId: cached.tenantId } : undefined;
    const row = await this.store.twilioTokenForAccount(accountSid);
    const token = row?.authTokenEnc ? this.box.decrypt(row.authTokenEnc) : null;
    this.tokenCache.set(accountSid, { token, tenantId: row?.tenantId ?? null });
    if (token && row) {
      this.lastConfirmed.set(accountSid, { authToken: token, tenantId: row.tenantId });
      return { authToken: token, tenantId: row.tenantId };
    }
    this.lastConfirmed.delete(accountSid);
    return undefined;
  }

  /**
   * Without the database: the platform account's token, or the token the database last confirmed
   * for this subaccount (within LAST_CONFIRMED_TTL_MS). For verifying webhooks while a lookup fails.
   */
  knownAuthTokenForAccount(accountSid: string | undefined): AccountToken | undefined {
    const platform = this.config.twilio;
    if (!accountSid || accountSid === platform.accountSid) return platform.authToken ? { authToken: platform.authToken, tenantId: null } : undefined;
    return this.lastConfirmed.get(accountSid);
  }

  async credentialsForTenant(tenantId: string): Promise<TwilioCredentials> {
    const row = await this.store.twilioCredentials(tenantId);
    if (row?.accountSid && row.authTokenEnc) return { accountSid: row.accountSid, authToken: this.box.decrypt(row.authTokenEnc) };
    const { accountSid, authToken } = this.config.twilio;
    if (!accountSid || !authToken)
      throw new AppException('TWILIO_NOT_CONFIGURED', 'unavailable', 'No Twilio account is configured (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)');
    return { accountSid, authToken };
  }

  /** Stores a tenant's own subaccount; the token is encrypted before it reaches the database. */
  async setTenantCredentials(tenantId: string, credentials: TwilioCredentials | null): Promise<void> {
    await this.store.setTwilioCredentials(
      tenantId,
      credentials ? { accountSid: credentials.accountSid, authTokenEnc: this.box.encrypt(credentials.authToken) } : null,
    );
    this.tokenCache.clear();
    this.lastConfirmed.clear();
  }
}
