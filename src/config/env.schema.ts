import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import 'reflect-metadata';
import { invalidAllowlistEntries } from '../common/webhook-security/source-allowlist.js';

// One property per environment variable. `.env.example` must list exactly these names
// (env-example.spec.ts keeps the two in step). Secrets are marked with @Sensitive so the
// log redaction list is derived from the same source.

const SENSITIVE = Symbol('sensitive');
export function Sensitive(): PropertyDecorator {
  return (target, key) => Reflect.defineMetadata(SENSITIVE, true, target, key);
}
export function isSensitiveVariable(name: string): boolean {
  return Reflect.getMetadata(SENSITIVE, EnvironmentVariables.prototype, name) === true;
}

// Unrecognised words are passed through unchanged so @IsBoolean names the variable.
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '' || typeof value === 'boolean') return value === '' ? undefined : value;
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  const word = String(value).toLowerCase();
  return ['true', '1', 'yes'].includes(word) ? true : ['false', '0', 'no'].includes(word) ? false : value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

const listEntries = (value: unknown): string[] =>
  String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
// A comma-separated list of IPs/CIDRs; the message names the variable and the entries it cannot parse.
const IsAddressList = () =>
  ValidateBy({
    name: 'isAddressList',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && invalidAllowlistEntries(listEntries(value)).length === 0,
      defaultMessage: (args) =>
        `${args?.property} must be comma-separated IPv4/IPv6 addresses or CIDR ranges (prefix 1 or more; leave it empty for no check); cannot parse: ${invalidAllowlistEntries(listEntries(args?.value)).join(', ')}`,
    },
  });

export enum LogLevel {
  fatal = 'fatal',
  error = 'error',
  warn = 'warn',
  info = 'info',
  debug = 'debug',
  trace = 'trace',
  silent = 'silent',
}

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const REALTIME_TRANSPORTS = ['auto', 'postgres', 'redis', 'in-process'] as const;
export type RealtimeTransportSetting = (typeof REALTIME_TRANSPORTS)[number];

export class EnvironmentVariables {
  // production: ADMIN_API_KEY and ENCRYPTION_KEY must be set (elsewhere they are generated under DATA_DIR).
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  // --- HTTP server ---
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @IsOptional()
  HOST = '0.0.0.0';

  // Unset: http://localhost:<PORT>. Production requires a public https:// origin.
  @Transform(emptyToUndefined)
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'PUBLIC_BASE_URL must be an absolute http(s) URL such as https://voice.example.com' },
  )
  @Matches(/^[^?#]*[^/?#]$/, { message: 'PUBLIC_BASE_URL must be an origin (and optional path prefix) without a trailing slash, query or fragment' })
  @IsOptional()
  PUBLIC_BASE_URL?: string;

  // Comma-separated IPs/CIDRs of the load balancers whose X-Forwarded-* and x-request-id we trust.
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TRUSTED_PROXIES?: string;

  // Comma-separated browser origins allowed to call the API (dashboards); empty = no CORS.
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES = 1_048_576;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  SHUTDOWN_DRAIN_MS = 30_000;

  @IsEnum(LogLevel)
  LOG_LEVEL: LogLevel = LogLevel.info;

  // Pretty logs: auto (only when stdout is a terminal), true or false.
  @IsIn(['auto', 'true', 'false'])
  LOG_PRETTY = 'auto';

  // --- Auth ---
  @Sensitive()
  @IsString()
  @MinLength(24, { message: 'ADMIN_API_KEY must be at least 24 characters' })
  ADMIN_API_KEY: string;

  // 32 bytes, base64 or hex: encrypts provider credentials at rest and signs short-lived tokens.
  @Sensitive()
  @IsString()
  @Matches(/^([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or 44 base64 characters' })
  ENCRYPTION_KEY: string;

  // --- Database ---
  // Unset: the embedded PGlite database under DATA_DIR.
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  @Sensitive()
  DATABASE_URL?: string;

  @IsString()
  DATA_DIR = './data';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @Transform(toBool)
  @IsBoolean()
  DB_SKIP_MIGRATIONS = false;

  // Named prepared statements on the webhook hot paths (src/database/prepared-statement.ts). Set
  // false behind a transaction-mode pooler that cannot carry them (PgBouncer before 1.21).
  @Transform(toBool)
  @IsBoolean()
  DB_PREPARED_STATEMENTS = true;

  // A hung database is a failure, not a wait (docs/operations.md "Database timeouts"). Opening a
  // connection, or waiting for a free one in the pool, gives up after this long.
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  DB_CONNECT_TIMEOUT_MS = 2_000;

  // Server side: PostgreSQL cancels a statement running longer (0 = never). Migrations are exempt.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DB_STATEMENT_TIMEOUT_MS = 5_000;

  // Client side: a statement with no answer after this long fails and its connection is discarded
  // (a database that accepts but never answers). Above DB_STATEMENT_TIMEOUT_MS, so a live server cancels first.
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  DB_QUERY_TIMEOUT_MS = 6_000;

  // Server side: a session left idle inside a transaction this long is ended, freeing its locks (0 = never).
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 15_000;

  // --- Redis (optional realtime transport) ---
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  @Sensitive()
  REDIS_URL?: string;

  // --- Realtime (SSE) ---
  // auto: in-process on the embedded database, Redis pub/sub when REDIS_URL is set, else PostgreSQL LISTEN/NOTIFY.
  @IsIn(REALTIME_TRANSPORTS)
  REALTIME_TRANSPORT: RealtimeTransportSetting = 'auto';

  // The NOTIFY channel / Redis channel; give deployments that share one Redis different names.
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'REALTIME_CHANNEL must be a lower-case identifier (letters, digits, underscores; at most 63)' })
  REALTIME_CHANNEL = 'switchboard_events';

  // How long events stay replayable (Last-Event-ID) before they are pruned.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 90)
  REALTIME_EVENT_RETENTION_HOURS = 24;

  // How often one instance prunes old events, in ms (0 = never: tests, or an external job).
  @Type(() => Number)
  @IsInt()
  @Min(0)
  REALTIME_PRUNE_INTERVAL_MS = 600_000;

  // SSE heartbeat comment interval; keep it below every proxy's idle timeout.
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(120_000)
  REALTIME_HEARTBEAT_MS = 15_000;

  // How often open SSE streams are re-checked: a stream whose API key was revoked, or whose tenant
  // was suspended or deleted, is closed at the next check (new streams are refused at once).
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  REALTIME_STREAM_RECHECK_MS = 30_000;

  // Bytes a slow SSE client may have waiting before its connection is dropped (it reconnects and replays).
  @Type(() => Number)
  @IsInt()
  @Min(4096)
  REALTIME_SSE_MAX_QUEUE_BYTES = 1_048_576;

  // Most events replayed to one reconnecting client; beyond it the client is told to resync.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  REALTIME_REPLAY_MAX_EVENTS = 1_000;

  // --- SMS ---
  // Automatic (agent) SMS replies one tenant may send per window, counted across instances in the DB.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SMS_AUTO_REPLY_LIMIT = 50;

  // The window of SMS_AUTO_REPLY_LIMIT, in seconds.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SMS_AUTO_REPLY_WINDOW_SECS = 300;

  // Sends of one message retried after a transient carrier error (Twilio 30001, 30003, ...).
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10)
  SMS_MAX_RETRIES = 3;

  // First retry delay in ms; doubles on each attempt.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SMS_RETRY_BASE_MS = 30_000;

  // How often each instance looks for resends that are due, in ms.
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(300_000)
  SMS_RESEND_POLL_MS = 5_000;

  // --- Twilio ---
  // Outbound calls placed per second per Twilio account (Twilio's default limit is 1 CPS).
  @Type(() => Number)
  @IsNumber()
  @Min(0.1)
  @Max(100)
  OUTBOUND_CALLS_PER_SECOND = 1;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'TWILIO_ACCOUNT_SID must look like AC followed by 32 hex characters' })
  TWILIO_ACCOUNT_SID?: string;

  @Sensitive()
  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => !!env.TWILIO_ACCOUNT_SID)
  @IsString({ message: 'TWILIO_AUTH_TOKEN is required when TWILIO_ACCOUNT_SID is set' })
  TWILIO_AUTH_TOKEN?: string;

  @Transform(toBool)
  @IsBoolean()
  TWILIO_VALIDATE_SIGNATURES = true;

  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  TWILIO_API_BASE_URL = 'https://api.twilio.com';

  // Longest wait for Twilio while (re)configuring a number's webhooks; past it the change is rolled back (502).
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(30_000)
  TWILIO_PROVISIONING_TIMEOUT_MS = 8_000;

  // How often every number's Twilio webhooks are compared with what they should be, in ms (0 = never).
  @Type(() => Number)
  @IsInt()
  @Min(0)
  WEBHOOK_DRIFT_CHECK_INTERVAL_MS = 3_600_000;

  // Longest a Twilio voice webhook or call callback waits for the database: then the caller hears
  // the fallback TwiML (callbacks answer 503). Twilio itself gives up after 15 s.
  @Type(() => Number)
  @IsInt()
  @Min(200)
  @Max(14_000)
  TWILIO_WEBHOOK_DEADLINE_MS = 2_000;
  // Comma-separated IPs/CIDRs Twilio webhooks and media streams may come from (client address after
  // TRUSTED_PROXIES); empty = no check. Twilio publishes no fixed range: see docs/webhooks.md.
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsAddressList()
  TWILIO_WEBHOOK_ALLOWED_IPS?: string;

  // --- ElevenLabs ---
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  ELEVENLABS_API_BASE_URL = 'https://api.elevenlabs.io';

  @Sensitive()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  ELEVENLABS_API_KEY?: string;

  // Comma-separated lists: the first signs nothing, any of them verifies (rotation without downtime).
  @Sensitive()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  ELEVENLABS_WEBHOOK_SECRET?: string;

  @Sensitive()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  ELEVENLABS_POST_CALL_WEBHOOK_SECRET?: string;

  @Sensitive()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  ELEVENLABS_CONVERSATION_EVENTS_WEBHOOK_SECRET?: string;

  @Sensitive()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  ELEVENLABS_CONVERSATION_INITIATION_WEBHOOK_SECRET?: string;

  // Header carrying the conversation-initiation shared secret (set the same name in ElevenLabs' dashboard).
  @IsString()
  @Matches(/^[A-Za-z0-9-]+$/, { message: 'ELEVENLABS_INITIATION_SECRET_HEADER must be an HTTP header name' })
  ELEVENLABS_INITIATION_SECRET_HEADER = 'x-switchboard-webhook-secret';

  // Initiations per caller and tenant within the window; past it the caller gets neutral variables. 0 = no limit.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  ELEVENLABS_INITIATION_RATE_LIMIT = 20;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  ELEVENLABS_INITIATION_RATE_WINDOW_SECS = 300;

  // The post-call webhook also carries post_call_audio (the whole call as base64 MP3): its own, larger limit.
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  ELEVENLABS_POST_CALL_BODY_LIMIT_BYTES = 67_108_864;

  // Where post-call MP3s are stored (<dir>/<tenant>/<conversation>.mp3); empty = <DATA_DIR>/recordings.
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  RECORDINGS_DIR?: string;

  // Missed post-call webhooks: how often to look (0 = never) and how long after a call ends.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  POST_CALL_RECONCILE_INTERVAL_MS = 300_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  POST_CALL_RECONCILE_AFTER_MINUTES = 15;

  // Webhook inbox worker: poll interval for retries and rows left by other instances (0 = only on arrival).
  @Type(() => Number)
  @IsInt()
  @Min(0)
  WEBHOOK_INBOX_POLL_MS = 5_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  WEBHOOK_INBOX_MAX_ATTEMPTS = 8;

  // Comma-separated IPs/CIDRs ElevenLabs' webhooks and tool calls may come from (client address after
  // TRUSTED_PROXIES); empty = no check. ElevenLabs' published egress IPs: docs/webhooks.md.
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsAddressList()
  ELEVENLABS_WEBHOOK_ALLOWED_IPS?: string;

  // --- Media bridge ---
  @Type(() => Number)
  @IsInt()
  @Min(1)
  MAX_CONCURRENT_CALLS = 500;

  // --- Production safety overrides (src/config/production-safety.ts) ---
  // With NODE_ENV=production the service refuses unsafe settings. Each override lets one kind
  // through, for a staging box only, and is logged as a warning at every boot.
  // Placeholder or weak ADMIN_API_KEY / ENCRYPTION_KEY.
  @Transform(toBool)
  @IsBoolean()
  ALLOW_UNSAFE_SECRETS = false;

  // TWILIO_VALIDATE_SIGNATURES=false.
  @Transform(toBool)
  @IsBoolean()
  ALLOW_UNSAFE_SIGNATURES = false;

  // A PUBLIC_BASE_URL that is unset, not https://, or on localhost/loopback/a reserved domain.
  @Transform(toBool)
  @IsBoolean()
  ALLOW_UNSAFE_PUBLIC_URL = false;

  // The embedded database (no DATABASE_URL).
  @Transform(toBool)
  @IsBoolean()
  ALLOW_UNSAFE_EMBEDDED_DATABASE = false;
}
