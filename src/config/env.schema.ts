import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import 'reflect-metadata';

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
  const word = String(value).toLowerCase();
  return ['true', '1', 'yes'].includes(word) ? true : ['false', '0', 'no'].includes(word) ? false : value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

export enum LogLevel {
  fatal = 'fatal',
  error = 'error',
  warn = 'warn',
  info = 'info',
  debug = 'debug',
  trace = 'trace',
  silent = 'silent',
}

export class EnvironmentVariables {
  // production: ADMIN_API_KEY and ENCRYPTION_KEY must be set (elsewhere they are generated under DATA_DIR).
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  // --- HTTP server ---
  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString() @IsOptional()
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'PUBLIC_BASE_URL must be an absolute http(s) URL such as https://voice.example.com' })
  @Matches(/^[^?#]*[^/?#]$/, { message: 'PUBLIC_BASE_URL must be an origin (and optional path prefix) without a trailing slash, query or fragment' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  // Comma-separated IPs/CIDRs of the load balancers whose X-Forwarded-* and x-request-id we trust.
  @Transform(emptyToUndefined) @IsOptional() @IsString()
  TRUSTED_PROXIES?: string;

  @Type(() => Number) @IsInt() @Min(1024)
  BODY_LIMIT_BYTES = 1_048_576;

  @Type(() => Number) @IsInt() @Min(0)
  SHUTDOWN_DRAIN_MS = 30_000;

  @IsEnum(LogLevel)
  LOG_LEVEL: LogLevel = LogLevel.info;

  // Pretty logs: auto (only when stdout is a terminal), true or false.
  @IsIn(['auto', 'true', 'false'])
  LOG_PRETTY = 'auto';

  // --- Auth ---
  @Sensitive() @IsString() @MinLength(24, { message: 'ADMIN_API_KEY must be at least 24 characters' })
  ADMIN_API_KEY: string;

  // 32 bytes, base64 or hex: encrypts provider credentials at rest and signs short-lived tokens.
  @Sensitive() @IsString() @Matches(/^([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or 44 base64 characters' })
  ENCRYPTION_KEY: string;

  // --- Database ---
  // Unset: the embedded PGlite database under DATA_DIR.
  @Transform(emptyToUndefined) @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  @Sensitive()
  DATABASE_URL?: string;

  @IsString()
  DATA_DIR = './data';

  @Type(() => Number) @IsInt() @Min(1) @Max(200)
  DB_POOL_SIZE = 10;

  @Transform(toBool) @IsBoolean()
  DB_SKIP_MIGRATIONS = false;

  // --- Redis (optional realtime transport) ---
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  @Sensitive()
  REDIS_URL?: string;

  // --- Twilio ---
  @Transform(emptyToUndefined) @IsOptional() @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'TWILIO_ACCOUNT_SID must look like AC followed by 32 hex characters' })
  TWILIO_ACCOUNT_SID?: string;

  @Sensitive() @Transform(emptyToUndefined) @ValidateIf((env: EnvironmentVariables) => !!env.TWILIO_ACCOUNT_SID)
  @IsString({ message: 'TWILIO_AUTH_TOKEN is required when TWILIO_ACCOUNT_SID is set' })
  TWILIO_AUTH_TOKEN?: string;

  @Transform(toBool) @IsBoolean()
  TWILIO_VALIDATE_SIGNATURES = true;

  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  TWILIO_API_BASE_URL = 'https://api.twilio.com';

  // --- ElevenLabs ---
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  ELEVENLABS_API_BASE_URL = 'https://api.elevenlabs.io';

  @Sensitive() @Transform(emptyToUndefined) @IsOptional() @IsString()
  ELEVENLABS_API_KEY?: string;

  // Comma-separated lists: the first signs nothing, any of them verifies (rotation without downtime).
  @Sensitive() @Transform(emptyToUndefined) @IsOptional() @IsString()
  ELEVENLABS_WEBHOOK_SECRET?: string;

  @Sensitive() @Transform(emptyToUndefined) @IsOptional() @IsString()
  ELEVENLABS_POST_CALL_WEBHOOK_SECRET?: string;

  @Sensitive() @Transform(emptyToUndefined) @IsOptional() @IsString()
  ELEVENLABS_CONVERSATION_EVENTS_WEBHOOK_SECRET?: string;

  @Sensitive() @Transform(emptyToUndefined) @IsOptional() @IsString()
  ELEVENLABS_CONVERSATION_INITIATION_WEBHOOK_SECRET?: string;

  // --- Media bridge ---
  @Type(() => Number) @IsInt() @Min(1)
  MAX_CONCURRENT_CALLS = 500;
}
