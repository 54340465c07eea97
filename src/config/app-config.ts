import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { EnvironmentVariables, LogLevel } from './env.schema.js';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** The typed configuration every module injects (never read process.env elsewhere). */
export interface AppConfig {
  http: { port: number; host: string; bodyLimitBytes: number; trustedProxies: string[] };
  publicBaseUrl: string;
  shutdownDrainMs: number;
  log: { level: LogLevel; pretty: boolean };
  auth: { adminApiKey: string; encryptionKey: Buffer };
  db: { url?: string; dataDir: string; poolSize: number; skipMigrations: boolean };
  redisUrl?: string;
  twilio: { accountSid?: string; authToken?: string; validateSignatures: boolean; apiBaseUrl: string };
  elevenlabs: {
    apiBaseUrl: string;
    apiKey?: string;
    webhookSecrets: { default: string[]; postCall: string[]; conversationEvents: string[]; conversationInitiation: string[] };
  };
  media: { maxConcurrentCalls: number };
}

export class ConfigValidationError extends Error {}

function describeErrors(errors: ValidationError[]): string {
  return errors
    .map((e) => `  - ${e.property}: ${Object.values(e.constraints ?? { invalid: 'is invalid' }).join('; ')}`)
    .join('\n');
}

const csv = (value?: string): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function decodeKey(value: string): Buffer {
  return /^[A-Fa-f0-9]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

/** Validates the raw environment; throws one error naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigValidationError(`Invalid configuration:\n${describeErrors(errors)}`);
  }
  return env;
}

export function toAppConfig(env: EnvironmentVariables, isTty = process.stdout.isTTY === true): AppConfig {
  const fallbackSecrets = csv(env.ELEVENLABS_WEBHOOK_SECRET);
  const perEndpoint = (value?: string) => (csv(value).length > 0 ? csv(value) : fallbackSecrets);
  return {
    http: { port: env.PORT, host: env.HOST, bodyLimitBytes: env.BODY_LIMIT_BYTES, trustedProxies: csv(env.TRUSTED_PROXIES) },
    publicBaseUrl: env.PUBLIC_BASE_URL,
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY === 'auto' ? isTty : env.LOG_PRETTY === 'true' },
    auth: { adminApiKey: env.ADMIN_API_KEY, encryptionKey: decodeKey(env.ENCRYPTION_KEY) },
    db: { url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: env.DB_POOL_SIZE, skipMigrations: env.DB_SKIP_MIGRATIONS },
    redisUrl: env.REDIS_URL,
    twilio: {
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      validateSignatures: env.TWILIO_VALIDATE_SIGNATURES,
      apiBaseUrl: env.TWILIO_API_BASE_URL,
    },
    elevenlabs: {
      apiBaseUrl: env.ELEVENLABS_API_BASE_URL,
      apiKey: env.ELEVENLABS_API_KEY,
      webhookSecrets: {
        default: fallbackSecrets,
        postCall: perEndpoint(env.ELEVENLABS_POST_CALL_WEBHOOK_SECRET),
        conversationEvents: perEndpoint(env.ELEVENLABS_CONVERSATION_EVENTS_WEBHOOK_SECRET),
        conversationInitiation: perEndpoint(env.ELEVENLABS_CONVERSATION_INITIATION_WEBHOOK_SECRET),
      },
    },
    media: { maxConcurrentCalls: env.MAX_CONCURRENT_CALLS },
  };
}

/** Loads and validates configuration from an environment (process.env by default). */
export function loadAppConfig(raw: Record<string, unknown> = process.env): AppConfig {
  return toAppConfig(validateEnv(raw));
}
