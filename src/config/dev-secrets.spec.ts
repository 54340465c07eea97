import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDevSecrets } from './dev-secrets.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'sb-dev-secrets-'));

describe('withDevSecrets', () => {
  it('should generate the secrets once and keep them', () => {
    const dir = dataDir();
    const first = withDevSecrets({ DATA_DIR: dir });
    expect(Object.keys(first.generated ?? {})).toEqual(['ADMIN_API_KEY', 'ENCRYPTION_KEY', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']);
    const second = withDevSecrets({ DATA_DIR: dir });
    expect(second.generated).toBeUndefined();
    expect(second.env).toEqual(first.env);
  });

  it('should add what an older file lacks, never replace what it has, and keep keys it does not know', () => {
    const dir = dataDir();
    const file = join(dir, 'dev-secrets.json');
    writeFileSync(file, JSON.stringify({ ENCRYPTION_KEY: 'kept', LATER_SECRET: 'x' }));
    const result = withDevSecrets({ DATA_DIR: dir, TWILIO_ACCOUNT_SID: 'AC1' });
    expect(result.env.ENCRYPTION_KEY).toBe('kept');
    expect(Object.keys(result.generated ?? {})).toEqual(['ADMIN_API_KEY', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']);
    expect(result.env.TWILIO_ACCOUNT_SID).toBe('AC1');
    const stored: unknown = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored).toMatchObject({ ENCRYPTION_KEY: 'kept', LATER_SECRET: 'x', ADMIN_API_KEY: result.env.ADMIN_API_KEY });
  });

  it('should refuse a file that is not what it wrote', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'dev-secrets.json'), '[]');
    expect(() => withDevSecrets({ DATA_DIR: dir })).toThrow(/not a JSON object/);
    writeFileSync(join(dir, 'dev-secrets.json'), JSON.stringify({ ENCRYPTION_KEY: 42 }));
    expect(() => withDevSecrets({ DATA_DIR: dir })).toThrow(/ENCRYPTION_KEY must be a string/);
  });

  it('should generate nothing in production', () => {
    expect(withDevSecrets({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toEqual({ env: { NODE_ENV: 'production', DATA_DIR: expect.any(String) } });
  });
});
