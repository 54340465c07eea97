import { describe, expect, it } from '@jest/globals';
import { SecretBox } from '../../common/crypto/secret-box.js';
import type { AppConfig } from '../../config/app-config.js';
import type { TenantCredentialsStore } from './tenant-credentials-store.port.js';
import { TwilioCredentialsService } from './twilio-credentials.service.js';

// The tenants table is played by a map behind the credentials store's one lookup the service
// makes; `down` makes every lookup fail as a lost database would.
const KEY = Buffer.alloc(32, 7);
const PLATFORM = { sid: 'AC' + '1'.repeat(32), token: 'platform-token' };
const SUB = 'AC' + '2'.repeat(32);

function setup() {
  const box = new SecretBox(KEY);
  const rows = new Map<string, { id: string; twilioAuthTokenEnc: string | null }>();
  const state = { down: false, queries: 0 };
  const tenants: TenantCredentialsStore = {
    twilioTokenForAccount: async (accountSid) => {
      state.queries++;
      if (state.down) throw new Error('Connection terminated unexpectedly');
      const row = rows.get(accountSid);
      return row ? { tenantId: row.id, authTokenEnc: row.twilioAuthTokenEnc } : null;
    },
    twilioCredentials: async () => null,
    setTwilioCredentials: async () => undefined,
    elevenLabsApiKeyEnc: async () => null,
    setElevenLabsApiKeyEnc: async () => undefined,
  };
  const config = { auth: { encryptionKey: KEY }, twilio: { accountSid: PLATFORM.sid, authToken: PLATFORM.token } } as unknown as AppConfig;
  const service = new TwilioCredentialsService(config, tenants);
  const store = (token: string | null) => rows.set(SUB, { id: 'tenant-2', twilioAuthTokenEnc: token ? box.encrypt(token) : null });
  return { service, state, store, rows };
}

describe(TwilioCredentialsService.name, () => {
  it('should know the platform token without the database', async () => {
    const { service, state } = setup();
    state.down = true;
    await expect(service.authTokenForAccount(PLATFORM.sid)).resolves.toEqual({ authToken: PLATFORM.token, tenantId: null });
    expect(service.knownAuthTokenForAccount(undefined)).toEqual({ authToken: PLATFORM.token, tenantId: null });
    expect(state.queries).toBe(0);
  });

  it('should remember a subaccount token only once the database has confirmed it', async () => {
    const { service, store } = setup();
    expect(service.knownAuthTokenForAccount(SUB)).toBeUndefined();
    store('sub-token-1');
    await expect(service.authTokenForAccount(SUB)).resolves.toEqual({ authToken: 'sub-token-1', tenantId: 'tenant-2' });
    expect(service.knownAuthTokenForAccount(SUB)).toEqual({ authToken: 'sub-token-1', tenantId: 'tenant-2' });
  });

  it('should let a token change take effect, and forget the last confirmed token with it', async () => {
    const { service, store } = setup();
    store('sub-token-1');
    await service.authTokenForAccount(SUB);
    store('sub-token-2');
    await service.setTenantCredentials('tenant-2', { accountSid: SUB, authToken: 'sub-token-2' });
    expect(service.knownAuthTokenForAccount(SUB)).toBeUndefined();
    await expect(service.authTokenForAccount(SUB)).resolves.toEqual({ authToken: 'sub-token-2', tenantId: 'tenant-2' });
    expect(service.knownAuthTokenForAccount(SUB)?.authToken).toBe('sub-token-2');
  });

  it('should forget the last confirmed token when a lookup finds the account gone', async () => {
    const { service, store, rows } = setup();
    store('sub-token-1');
    await service.authTokenForAccount(SUB);
    rows.delete(SUB);
    await service.setTenantCredentials('tenant-2', null);
    await expect(service.authTokenForAccount(SUB)).resolves.toBeUndefined();
    expect(service.knownAuthTokenForAccount(SUB)).toBeUndefined();
  });

  it('should throw (not answer "unknown") when the database is down, and keep the last confirmed token', async () => {
    const { service, state, store } = setup();
    store('sub-token-1');
    await service.authTokenForAccount(SUB);
    await service.setTenantCredentials('tenant-2', { accountSid: SUB, authToken: 'sub-token-1' }); // clears the caches
    await service.authTokenForAccount(SUB);
    state.down = true;
    const other = 'AC' + '3'.repeat(32);
    await expect(service.authTokenForAccount(other)).rejects.toThrow(/terminated/);
    expect(service.knownAuthTokenForAccount(SUB)?.authToken).toBe('sub-token-1');
    expect(service.knownAuthTokenForAccount(other)).toBeUndefined();
  });
});
