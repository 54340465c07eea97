import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { getMetadataStorage } from 'class-validator';
import { ConfigValidationError, loadAppConfig, validateEnv } from './app-config.js';
import { EnvironmentVariables, isSensitiveVariable } from './env.schema.js';

const VALID = {
  ADMIN_API_KEY: 'a-very-long-admin-key-for-tests',
  ENCRYPTION_KEY: 'ab'.repeat(32),
};

function schemaVariables(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

describe('validateEnv', () => {
  it('should apply defaults to a minimal environment', () => {
    const config = loadAppConfig(VALID);
    expect(config.http.port).toBe(3000);
    expect(config.db.url).toBeUndefined();
    expect(config.db.dataDir).toBe('./data');
    expect(config.twilio.validateSignatures).toBe(true);
    expect(config.elevenlabs.apiBaseUrl).toBe('https://api.elevenlabs.io');
    expect(config.auth.encryptionKey).toHaveLength(32);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'voice.example.com' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'https://voice.example.com/' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['ADMIN_API_KEY', { ADMIN_API_KEY: 'short' }],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: 'not-a-key' }],
    ['TWILIO_ACCOUNT_SID', { TWILIO_ACCOUNT_SID: 'AC123' }],
    ['TWILIO_AUTH_TOKEN', { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['TWILIO_VALIDATE_SIGNATURES', { TWILIO_VALIDATE_SIGNATURES: 'maybe' }],
    ['TWILIO_WEBHOOK_ALLOWED_IPS', { TWILIO_WEBHOOK_ALLOWED_IPS: '203.0.113.0/24, 203.0.113.300' }],
    ['ELEVENLABS_WEBHOOK_ALLOWED_IPS', { ELEVENLABS_WEBHOOK_ALLOWED_IPS: 'webhooks.elevenlabs.io' }],
  ])('should stop the boot naming %s', (name, env) => {
    expect(() => validateEnv({ ...VALID, ...env })).toThrow(ConfigValidationError);
    expect(() => validateEnv({ ...VALID, ...env })).toThrow(new RegExp(`- ${name}:`));
  });

  it('should name every missing required variable at once', () => {
    expect(() => validateEnv({})).toThrow(/ADMIN_API_KEY[\s\S]*ENCRYPTION_KEY/);
  });

  it('should split comma-separated secrets, falling back to the default list per endpoint', () => {
    const config = loadAppConfig({ ...VALID, ELEVENLABS_WEBHOOK_SECRET: 'a, b', ELEVENLABS_POST_CALL_WEBHOOK_SECRET: 'c' });
    expect(config.elevenlabs.webhookSecrets).toEqual({
      default: ['a', 'b'],
      postCall: ['c'],
      conversationEvents: ['a', 'b'],
      conversationInitiation: ['a', 'b'],
    });
  });

  it('should read the webhook source allowlists, naming an entry it cannot parse', () => {
    expect(loadAppConfig(VALID).twilio.webhookAllowedIps).toEqual([]);
    const config = loadAppConfig({ ...VALID, TWILIO_WEBHOOK_ALLOWED_IPS: '203.0.113.0/24, 2001:db8::/32', ELEVENLABS_WEBHOOK_ALLOWED_IPS: '198.51.100.7' });
    expect(config.twilio.webhookAllowedIps).toEqual(['203.0.113.0/24', '2001:db8::/32']);
    expect(config.elevenlabs.webhookAllowedIps).toEqual(['198.51.100.7']);
    expect(() => validateEnv({ ...VALID, TWILIO_WEBHOOK_ALLOWED_IPS: '203.0.113.0/24,10.0.0.0/33' })).toThrow(
      /TWILIO_WEBHOOK_ALLOWED_IPS: .*cannot parse: 10\.0\.0\.0\/33/,
    );
  });

  it('should mark secrets as sensitive', () => {
    expect(isSensitiveVariable('ADMIN_API_KEY')).toBe(true);
    expect(isSensitiveVariable('TWILIO_AUTH_TOKEN')).toBe(true);
    expect(isSensitiveVariable('PORT')).toBe(false);
  });
});

describe('.env.example', () => {
  it('should list exactly the variables of the schema', () => {
    const listed = readFileSync('.env.example', 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => line.split('=')[0])
      .sort();
    expect(listed).toEqual(schemaVariables());
  });

  it('should itself be a valid configuration', () => {
    const values = Object.fromEntries(
      readFileSync('.env.example', 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
        .map((line) => [line.split('=')[0], line.slice(line.indexOf('=') + 1)]),
    );
    expect(() => validateEnv(values)).not.toThrow();
  });
});
