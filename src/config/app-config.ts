import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { DatabaseTimeouts } from '../database/connection-guard.js';
import { EnvironmentVariables, type LogLevel, type NodeEnv, type RealtimeTransportSetting } from './env.schema.js';
import { checkProductionSafety, decodeEncryptionKey, describeFinding } from './production-safety.js';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** The typed configuration every module injects (never read process.env elsewhere). */
export interface AppConfig {
  nodeEnv: NodeEnv;
  /** Unsafe production settings let through by an ALLOW_UNSAFE_* override: logged at every boot. */
  unsafeOverrides: string[];
  http: { port: number; host: string; bodyLimitBytes: number; trustedProxies: string[]; corsOrigins: string[] };
  publicBaseUrl: string;
  shutdownDrainMs: number;
  log: { level: LogLevel; pretty: boolean };
  auth: { adminApiKey: string; encryptionKey: Buffer };
  db: { url?: string; dataDir: string; poolSize: number; skipMigrations: boolean; preparedStatements: boolean; timeouts: DatabaseTimeouts };
  redisUrl?: string;
  realtime: {
    transport: RealtimeTransportSetting;
    channel: string;
    retentionHours: number;
    pruneIntervalMs: number;
    heartbeatMs: number;
    /** How often open streams' API keys and tenants are re-checked. */
    streamRecheckMs: number;
    maxQueueBytes: number;
    replayMaxEvents: number;
  };
  twilio: {
    accountSid?: string;
    authToken?: string;
    validateSignatures: boolean;
    apiBaseUrl: string;
    /** Phone-number webhook configuration: Twilio answer deadline and the drift check's period (0 = off). */
    provisioningTimeoutMs: number;
    webhookDriftCheckIntervalMs: number;
    /** Outbound calls released per second per account (the dispatcher's rate). */
    outboundCallsPerSecond: number;
    /** Voice webhooks answer the fallback TwiML, call callbacks 503, once this passes. */
    webhookDeadlineMs: number;
    /** Source IPs/CIDRs webhooks and media streams may come from; empty = no check. */
    webhookAllowedIps: string[];
  };
  elevenlabs: {
    apiBaseUrl: string;
    apiKey?: string;
    webhookSecrets: { default: string[]; postCall: string[]; conversationEvents: string[]; conversationInitiation: string[] };
    initiation: { secretHeader: string; rateLimit: number; rateWindowSecs: number };
    postCall: { bodyLimitBytes: number; recordingsDir: string; reconcileIntervalMs: number; reconcileAfterMinutes: number };
    /** Source IPs/CIDRs webhooks and tool calls may come from; empty = no check. */
    webhookAllowedIps: string[];
  };
  webhookInbox: { pollMs: number; maxAttempts: number };
  media: { maxConcurrentCalls: number };
  sms: { autoReplyLimit: number; autoReplyWindowSecs: number; maxRetries: number; retryBaseMs: number; resendPollMs: number };
}

export class ConfigValidationError extends Error {}

function describeErrors(errors: ValidationError[]): string[] {
  return errors.map((e) => `  - ${e.property}: ${Object.values(e.constraints ?? { invalid: 'is invalid' }).join('; ')}`);
}

const csv = (value?: string): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Validates the raw environment; throws one error naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  // Production refusals (src/config/production-safety.ts). A secret missing in production is said
  // once, as "required in production", rather than also as a format error.
  const { refused } = checkProductionSafety(raw);
  const requiredHere = new Set(refused.filter((f) => !f.override).map((f) => f.variable));
  const lines = [...describeErrors(errors.filter((e) => !requiredHere.has(e.property))), ...refused.map((f) => `  - ${describeFinding(f)}`)];
  if (lines.length > 0) {
    throw new ConfigValidationError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}

export function toAppConfig(env: EnvironmentVariables, isTty = process.stdout.isTTY === true): AppConfig {
  const fallbackSecrets = csv(env.ELEVENLABS_WEBHOOK_SECRET);
  const perEndpoint = (value?: string) => (csv(value).length > 0 ? csv(value) : fallbackSecrets);
  return {
    nodeEnv: env.NODE_ENV,
    unsafeOverrides: checkProductionSafety({ ...env }).overridden.map(describeFinding),
    http: {
      port: env.PORT,
      host: env.HOST,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      trustedProxies: csv(env.TRUSTED_PROXIES),
      corsOrigins: csv(env.CORS_ORIGINS),
    },
    // Unset: this machine on PORT, which is what a quick start on localhost needs.
    publicBaseUrl: env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`,
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
    // auto: pretty on a terminal, except in production, whose logs are JSON wherever they go.
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY === 'auto' ? isTty && env.NODE_ENV !== 'production' : env.LOG_PRETTY === 'true' },
    auth: { adminApiKey: env.ADMIN_API_KEY, encryptionKey: decodeEncryptionKey(env.ENCRYPTION_KEY) },
    db: {
      url: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      poolSize: env.DB_POOL_SIZE,
      skipMigrations: env.DB_SKIP_MIGRATIONS,
      preparedStatements: env.DB_PREPARED_STATEMENTS,
      timeouts: {
        connectMs: env.DB_CONNECT_TIMEOUT_MS,
        statementMs: env.DB_STATEMENT_TIMEOUT_MS,
        queryMs: env.DB_QUERY_TIMEOUT_MS,
        idleInTransactionMs: env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      },
    },
    redisUrl: env.REDIS_URL,
    realtime: {
      transport: env.REALTIME_TRANSPORT,
      channel: env.REALTIME_CHANNEL,
      retentionHours: env.REALTIME_EVENT_RETENTION_HOURS,
      pruneIntervalMs: env.REALTIME_PRUNE_INTERVAL_MS,
      heartbeatMs: env.REALTIME_HEARTBEAT_MS,
      streamRecheckMs: env.REALTIME_STREAM_RECHECK_MS,
      maxQueueBytes: env.REALTIME_SSE_MAX_QUEUE_BYTES,
      replayMaxEvents: env.REALTIME_REPLAY_MAX_EVENTS,
    },
    twilio: {
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      validateSignatures: env.TWILIO_VALIDATE_SIGNATURES,
      apiBaseUrl: env.TWILIO_API_BASE_URL,
      provisioningTimeoutMs: env.TWILIO_PROVISIONING_TIMEOUT_MS,
      webhookDriftCheckIntervalMs: env.WEBHOOK_DRIFT_CHECK_INTERVAL_MS,
      outboundCallsPerSecond: env.OUTBOUND_CALLS_PER_SECOND,
      webhookDeadlineMs: env.TWILIO_WEBHOOK_DEADLINE_MS,
      webhookAllowedIps: csv(env.TWILIO_WEBHOOK_ALLOWED_IPS),
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
      initiation: {
        secretHeader: env.ELEVENLABS_INITIATION_SECRET_HEADER.toLowerCase(),
        rateLimit: env.ELEVENLABS_INITIATION_RATE_LIMIT,
        rateWindowSecs: env.ELEVENLABS_INITIATION_RATE_WINDOW_SECS,
      },
      postCall: {
        bodyLimitBytes: env.ELEVENLABS_POST_CALL_BODY_LIMIT_BYTES,
        recordingsDir: env.RECORDINGS_DIR ?? join(env.DATA_DIR, 'recordings'),
        reconcileIntervalMs: env.POST_CALL_RECONCILE_INTERVAL_MS,
        reconcileAfterMinutes: env.POST_CALL_RECONCILE_AFTER_MINUTES,
      },
      webhookAllowedIps: csv(env.ELEVENLABS_WEBHOOK_ALLOWED_IPS),
    },
    webhookInbox: { pollMs: env.WEBHOOK_INBOX_POLL_MS, maxAttempts: env.WEBHOOK_INBOX_MAX_ATTEMPTS },
    media: { maxConcurrentCalls: env.MAX_CONCURRENT_CALLS },
    sms: {
      autoReplyLimit: env.SMS_AUTO_REPLY_LIMIT,
      autoReplyWindowSecs: env.SMS_AUTO_REPLY_WINDOW_SECS,
      maxRetries: env.SMS_MAX_RETRIES,
      retryBaseMs: env.SMS_RETRY_BASE_MS,
      resendPollMs: env.SMS_RESEND_POLL_MS,
    },
  };
}

/** Loads and validates configuration from an environment (process.env by default). */
export function loadAppConfig(raw: Record<string, unknown> = process.env): AppConfig {
  return toAppConfig(validateEnv(raw));
}
