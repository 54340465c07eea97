import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isJsonObject } from '../common/json/json-object.js';

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

const SECRET_KEYS = ['ADMIN_API_KEY', 'ENCRYPTION_KEY', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'] as const satisfies readonly (keyof DevSecrets)[];

/** The file as stored (kept whole when it is written back) and the secrets in it. */
function readStored(file: string): { raw: Record<string, unknown>; secrets: Partial<DevSecrets> } {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isJsonObject(raw)) throw new Error(`${file} is not a JSON object: fix it, or delete it to generate new development secrets`);
  const secrets: Partial<DevSecrets> = {};
  for (const key of SECRET_KEYS) {
    const value = raw[key];
    if (typeof value === 'string') secrets[key] = value;
    else if (value !== undefined) throw new Error(`${file}: ${key} must be a string`);
  }
  return { raw, secrets };
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
  const { raw, secrets: stored } = existsSync(file) ? readStored(file) : { raw: {}, secrets: {} };
  const fresh = generate();
  // Keys an older file lacks are added, never replaced: the encryption key protects stored data.
  const generated: Partial<DevSecrets> = {};
  for (const key of SECRET_KEYS) if (!stored[key]) generated[key] = fresh[key];
  const secrets = { ...fresh, ...stored };
  if (Object.keys(generated).length > 0) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify({ ...fresh, ...raw }, null, 2), { mode: 0o600 });
  }
  const twilio = needsTwilio ? { TWILIO_ACCOUNT_SID: secrets.TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: secrets.TWILIO_AUTH_TOKEN } : {};
  return {
    env: { ...env, ADMIN_API_KEY: env.ADMIN_API_KEY || secrets.ADMIN_API_KEY, ENCRYPTION_KEY: env.ENCRYPTION_KEY || secrets.ENCRYPTION_KEY, ...twilio },
    file,
    generated: Object.keys(generated).length > 0 ? generated : undefined,
  };
}
