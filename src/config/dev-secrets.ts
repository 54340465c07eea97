import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface DevSecrets {
  ADMIN_API_KEY: string;
  ENCRYPTION_KEY: string;
}

/**
 * Outside production, a fresh checkout must start with no configuration at all: the admin key
 * and the encryption key are generated once and kept under DATA_DIR (next to the embedded
 * database they protect). In production both must be configured explicitly.
 */
export function withDevSecrets(env: Record<string, string | undefined>): { env: Record<string, string | undefined>; generatedIn?: string } {
  if (env.NODE_ENV === 'production' || (env.ADMIN_API_KEY && env.ENCRYPTION_KEY)) return { env };
  const dir = resolve(env.DATA_DIR || './data');
  const file = join(dir, 'dev-secrets.json');
  let secrets: DevSecrets;
  if (existsSync(file)) {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } else {
    mkdirSync(dir, { recursive: true });
    secrets = { ADMIN_API_KEY: `sb_admin_${randomBytes(24).toString('base64url')}`, ENCRYPTION_KEY: randomBytes(32).toString('hex') };
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return {
    env: { ...env, ADMIN_API_KEY: env.ADMIN_API_KEY || secrets.ADMIN_API_KEY, ENCRYPTION_KEY: env.ENCRYPTION_KEY || secrets.ENCRYPTION_KEY },
    generatedIn: file,
  };
}
