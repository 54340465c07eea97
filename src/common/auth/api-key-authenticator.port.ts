/** A tenant API key that authenticated. */
export interface AuthenticatedKey {
  apiKeyId: string;
  tenantId: string;
  tenantStatus: string;
}

/**
 * The port the global API-key guard checks keys through; the tenants module provides it (its
 * ApiKeysService owns the keys table). common/ depends on this, never on the feature module.
 */
export interface ApiKeyAuthenticator {
  /** The key's tenant, or undefined for a key that does not exist or was revoked. Throws when it cannot tell. */
  authenticate(key: string): Promise<AuthenticatedKey | undefined>;
}

export const API_KEY_AUTHENTICATOR = Symbol('API_KEY_AUTHENTICATOR');
