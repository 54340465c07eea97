import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What a development install generates for itself, kept in DATA_DIR/dev-secrets.json. */
export interface DevSecrets {
  ADMIN_API_KEY: string;
  ENCRYPTION_KEY: string;
  /** A demo Twilio account: no such account exists at Twilio, but requests signed with it are accepted here. */
  TWILIO_ACCOUNT_SID: string;
  TWILIO_AUTH_TOKEN: string;
}

export interface DevSecretsResult {
  env: Record<string, string | undefined>;
  /** The file the secrets are kept in (absent in production or when everything is configured). */
  file?: string;
  /** The values written to the file by this call (first start, or keys added to an older file): print them once. */
  generated?: Partial<DevSecrets>;
}

function generate(): DevSecrets {
  return {
    ADMIN_API_KEY: `sb_admin_${randomBytes(24).toString('base64url')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    TWILIO_ACCOUNT_SID: `AC${randomBytes(16).toString('hex')}`,
    TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
  };
}

/**
 * Outside production, a fresh checkout must start with no configuration at all and accept a
 * signed call: the admin key, the encryption key and a demo Twilio account (SID and auth token) are
 * generated once and kept under DATA_DIR, next to the embedded database they protect. Configured
 * variables always win; the Twilio pair is used only when TWILIO_ACCOUNT_SID is unset. In
 * production nothing is generated (production-safety.ts names what is missing).
 */
export function withDevSecrets(env: Record<string, string | undefined>): DevSecretsResult {
  const needsTwilio = !env.TWILIO_ACCOUNT_SID;
  if (env.NODE_ENV === 'production' || (env.ADMIN_API_KEY && env.ENCRYPTION_KEY && !needsTwilio)) return { env };
  const dir = resolve(env.DATA_DIR || './data');
  const file = join(dir, 'dev-secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : {};
  const fresh = generate();
  // Keys an older file lacks are added, never replaced: the encryption key protects stored data.
  const generated = Object.fromEntries(Object.entries(fresh).filter(([key]) => !stored[key as keyof DevSecrets])) as Partial<DevSecrets>;
  const secrets = { ...fresh, ...stored };
  if (Object.keys(generated).length > 0) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  const twilio = needsTwilio ? { TWILIO_ACCOUNT_SID: secrets.TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: secrets.TWILIO_AUTH_TOKEN } : {};
  return {
    env: { ...env, ADMIN_API_KEY: env.ADMIN_API_KEY || secrets.ADMIN_API_KEY, ENCRYPTION_KEY: env.ENCRYPTION_KEY || secrets.ENCRYPTION_KEY, ...twilio },
    file,
    generated: Object.keys(generated).length > 0 ? generated : undefined,
  };
}
