import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigValidationError, loadAppConfig, validateEnv } from './app-config.js';
import { checkProductionSafety, publicUrlProblem } from './production-safety.js';

const SAFE = {
  NODE_ENV: 'production',
  ADMIN_API_KEY: randomBytes(24).toString('base64url'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  PUBLIC_BASE_URL: 'https://voice.acme-telecom.com',
  DATABASE_URL: 'postgres://switchboard@db.internal:5432/switchboard',
};

const exampleValue = (name: string) =>
  readFileSync('.env.example', 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`${name}=`))!
    .slice(name.length + 1);

describe('checkProductionSafety', () => {
  it('should accept a safe production environment and check nothing outside production', () => {
    expect(checkProductionSafety(SAFE)).toEqual({ refused: [], overridden: [] });
    expect(checkProductionSafety({ NODE_ENV: 'development', TWILIO_VALIDATE_SIGNATURES: 'false' })).toEqual({ refused: [], overridden: [] });
    expect(() => loadAppConfig(SAFE)).not.toThrow();
  });

  it.each([
    ['ADMIN_API_KEY', { ADMIN_API_KEY: undefined }, /ADMIN_API_KEY is required in production/],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: '' }, /ENCRYPTION_KEY is required in production/],
    ['ADMIN_API_KEY', { ADMIN_API_KEY: exampleValue('ADMIN_API_KEY') }, /ADMIN_API_KEY is the placeholder from \.env\.example/],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: exampleValue('ENCRYPTION_KEY') }, /ENCRYPTION_KEY is the placeholder from \.env\.example/],
    ['ADMIN_API_KEY', { ADMIN_API_KEY: 'a'.repeat(40) }, /ADMIN_API_KEY is too weak/],
    ['ADMIN_API_KEY', { ADMIN_API_KEY: 'abcdefgh12345678abcdefgh' }, /ADMIN_API_KEY is too weak/],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: 'ab'.repeat(32) }, /ENCRYPTION_KEY is too weak/],
    ['TWILIO_VALIDATE_SIGNATURES', { TWILIO_VALIDATE_SIGNATURES: 'false' }, /TWILIO_VALIDATE_SIGNATURES is false/],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: undefined }, /PUBLIC_BASE_URL is required in production/],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'http://voice.acme-telecom.com' }, /PUBLIC_BASE_URL must be https/],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'https://localhost:3000' }, /PUBLIC_BASE_URL points at localhost/],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: exampleValue('PUBLIC_BASE_URL') }, /PUBLIC_BASE_URL points at voice\.example\.com/],
    ['DATABASE_URL', { DATABASE_URL: undefined }, /DATABASE_URL is required in production/],
  ])('should refuse to boot naming %s (%j)', (_name, change, message) => {
    expect(() => validateEnv({ ...SAFE, ...change })).toThrow(ConfigValidationError);
    expect(() => validateEnv({ ...SAFE, ...change })).toThrow(message);
  });

  it('should name every refusal at once, and the override of each', () => {
    const env = { NODE_ENV: 'production', TWILIO_VALIDATE_SIGNATURES: 'false' };
    expect(() => validateEnv(env)).toThrow(
      /ADMIN_API_KEY is required in production[\s\S]*ENCRYPTION_KEY is required[\s\S]*TWILIO_VALIDATE_SIGNATURES[\s\S]*ALLOW_UNSAFE_SIGNATURES=true[\s\S]*PUBLIC_BASE_URL[\s\S]*ALLOW_UNSAFE_PUBLIC_URL=true[\s\S]*DATABASE_URL[\s\S]*ALLOW_UNSAFE_EMBEDDED_DATABASE=true/,
    );
  });

  it('should let an overridden setting through and report it for the boot log', () => {
    const env = {
      ...SAFE,
      DATABASE_URL: undefined,
      TWILIO_VALIDATE_SIGNATURES: 'false',
      ALLOW_UNSAFE_EMBEDDED_DATABASE: 'true',
      ALLOW_UNSAFE_SIGNATURES: 'true',
    };
    const config = loadAppConfig(env);
    expect(config.unsafeOverrides).toEqual([
      expect.stringMatching(/^TWILIO_VALIDATE_SIGNATURES is false/),
      expect.stringMatching(/^DATABASE_URL is required in production/),
    ]);
    // One override covers its own kind only.
    expect(() => validateEnv({ ...env, PUBLIC_BASE_URL: 'http://voice.acme-telecom.com' })).toThrow(/PUBLIC_BASE_URL must be https/);
  });

  it('should never let a missing secret through, whatever the overrides', () => {
    expect(() => validateEnv({ ...SAFE, ADMIN_API_KEY: undefined, ALLOW_UNSAFE_SECRETS: 'true' })).toThrow(/ADMIN_API_KEY is required in production/);
  });
});

describe('publicUrlProblem', () => {
  it.each([
    'https://127.0.0.1',
    'https://127.8.9.10:8443',
    'https://[::1]',
    'https://0.0.0.0',
    'https://10.1.2.3',
    'https://192.168.1.20',
    'https://[fd00::1]',
    'https://app.localhost',
    'https://voice.test',
    'https://x.example.org',
  ])('should refuse %s', (url) => expect(publicUrlProblem(url)).toMatch(/points at/));
  it.each(['https://voice.acme-telecom.com', 'https://lb.acme.io/switchboard', 'https://203.0.113.9'])('should accept %s', (url) =>
    expect(publicUrlProblem(url)).toBeUndefined(),
  );
});

describe('PUBLIC_BASE_URL default', () => {
  it('should follow PORT outside production', () => {
    const keys = { ADMIN_API_KEY: 'a-very-long-admin-key-for-tests', ENCRYPTION_KEY: randomBytes(32).toString('hex') };
    expect(loadAppConfig(keys).publicBaseUrl).toBe('http://localhost:3000');
    expect(loadAppConfig({ ...keys, PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
  });
});
