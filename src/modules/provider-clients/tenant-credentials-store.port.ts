/**
 * Where a tenant's own provider credentials are kept. Provider-clients reads and writes them
 * through this port and never touches the table: the tenants module, which owns the `tenants`
 * table, provides it (TenantCredentialsRepository). Secrets cross it encrypted only: encrypting and
 * decrypting (SecretBox) stays with the provider clients.
 */
export interface TenantCredentialsStore {
  /** The tenant's encrypted ElevenLabs API key; null when it has none or there is no such tenant. */
  elevenLabsApiKeyEnc(tenantId: string): Promise<string | null>;
  setElevenLabsApiKeyEnc(tenantId: string, apiKeyEnc: string | null): Promise<void>;
  /** The tenant whose own Twilio subaccount is `accountSid`, with its encrypted auth token; null for none. */
  twilioTokenForAccount(accountSid: string): Promise<{ tenantId: string; authTokenEnc: string | null } | null>;
  /** The tenant's own Twilio subaccount (both null when it has none); null when there is no such tenant. */
  twilioCredentials(tenantId: string): Promise<{ accountSid: string | null; authTokenEnc: string | null } | null>;
  /** Stores the tenant's own subaccount (the token already encrypted), or clears it (null). */
  setTwilioCredentials(tenantId: string, credentials: { accountSid: string; authTokenEnc: string } | null): Promise<void>;
}

export const TENANT_CREDENTIALS_STORE = Symbol('TENANT_CREDENTIALS_STORE');
