import { BlockList, isIP } from 'node:net';

// What production refuses to start with (NODE_ENV=production), and the explicit, loudly logged
// overrides a staging box may set. Pure: takes the raw environment, returns verdicts; the caller
// (validateEnv) turns refusals into one boot error naming every variable.

/** The override that lets a staging box start with an unsafe setting of this kind. */
export type UnsafeOverride = 'ALLOW_UNSAFE_SECRETS' | 'ALLOW_UNSAFE_SIGNATURES' | 'ALLOW_UNSAFE_PUBLIC_URL' | 'ALLOW_UNSAFE_EMBEDDED_DATABASE';

export interface SafetyFinding {
  variable: string;
  reason: string;
  /** Absent: no override exists (a missing secret cannot be waved through). */
  override?: UnsafeOverride;
}

export interface SafetyVerdict {
  /** Findings that stop the boot. */
  refused: SafetyFinding[];
  /** Findings let through by their override: log each one at every boot. */
  overridden: SafetyFinding[];
}

// The values .env.example ships with: a copy of the example file must never run in production.
const EXAMPLE_VALUES: Record<string, string[]> = {
  ADMIN_API_KEY: ['change-me-to-a-long-random-admin-key'],
  ENCRYPTION_KEY: ['0'.repeat(64)],
};

// Domains reserved for documentation and testing (RFC 2606, RFC 6761): never a real public URL.
const RESERVED_HOST = /(^|\.)(example\.(com|net|org)|localhost|test|example|invalid|local)$/i;

// Addresses Twilio cannot reach: loopback, unspecified, private, link-local, unique-local.
const UNREACHABLE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
] as const)
  UNREACHABLE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  UNREACHABLE.addSubnet(net, prefix, 'ipv6');

const isTrue = (value: unknown) => value === true || (typeof value === 'string' && ['true', '1', 'yes'].includes(value.toLowerCase()));
const present = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Too little variety to be a random secret: one repeated character, or a short alphabet. */
function isWeak(value: string, minLength: number): boolean {
  return value.length < minLength || new Set(value).size < 8;
}

/** ENCRYPTION_KEY's 32 bytes: 64 hex characters, or base64. */
export function decodeEncryptionKey(value: string): Buffer {
  return /^[A-Fa-f0-9]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

function secretFinding(env: Record<string, unknown>, variable: 'ADMIN_API_KEY' | 'ENCRYPTION_KEY'): SafetyFinding | undefined {
  const value = env[variable];
  if (!present(value)) return { variable, reason: 'is required in production' };
  if (EXAMPLE_VALUES[variable].includes(value) || /change[-_]?me|example|placeholder/i.test(value)) {
    return { variable, reason: 'is the placeholder from .env.example: generate a random value (openssl rand -hex 32)', override: 'ALLOW_UNSAFE_SECRETS' };
  }
  const weak = variable === 'ENCRYPTION_KEY' ? new Set(decodeEncryptionKey(value)).size < 16 : isWeak(value, 32);
  if (weak) {
    const need = variable === 'ENCRYPTION_KEY' ? '32 random bytes' : 'at least 32 random characters';
    return { variable, reason: `is too weak for production (needs ${need}: openssl rand -hex 32)`, override: 'ALLOW_UNSAFE_SECRETS' };
  }
  return undefined;
}

/** Why a public base URL cannot be the one Twilio and ElevenLabs call, or undefined when it can. */
export function publicUrlProblem(publicBaseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(publicBaseUrl);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') return 'must be https:// in production (Twilio signs the URL it calls, and media streams need wss://)';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const unreachable = family !== 0 && UNREACHABLE.check(host, family === 4 ? 'ipv4' : 'ipv6');
  if (unreachable || RESERVED_HOST.test(host)) return `points at ${host}, which Twilio cannot reach: set the public https origin of your load balancer`;
  return undefined;
}

/** The production verdict for a raw environment (empty lists outside production). */
export function checkProductionSafety(env: Record<string, unknown>): SafetyVerdict {
  const verdict: SafetyVerdict = { refused: [], overridden: [] };
  if (env.NODE_ENV !== 'production') return verdict;
  const findings: SafetyFinding[] = [];
  for (const variable of ['ADMIN_API_KEY', 'ENCRYPTION_KEY'] as const) {
    const finding = secretFinding(env, variable);
    if (finding) findings.push(finding);
  }
  if (
    (typeof env.TWILIO_VALIDATE_SIGNATURES === 'string' || typeof env.TWILIO_VALIDATE_SIGNATURES === 'boolean' ? String(env.TWILIO_VALIDATE_SIGNATURES) : '')
      .toLowerCase()
      .match(/^(false|0|no)$/)
  ) {
    findings.push({
      variable: 'TWILIO_VALIDATE_SIGNATURES',
      reason: 'is false: Twilio webhooks would not be authenticated',
      override: 'ALLOW_UNSAFE_SIGNATURES',
    });
  }
  if (!present(env.PUBLIC_BASE_URL)) {
    findings.push({
      variable: 'PUBLIC_BASE_URL',
      reason: 'is required in production (the public https origin Twilio and ElevenLabs call)',
      override: 'ALLOW_UNSAFE_PUBLIC_URL',
    });
  } else {
    const problem = publicUrlProblem(env.PUBLIC_BASE_URL);
    if (problem) findings.push({ variable: 'PUBLIC_BASE_URL', reason: problem, override: 'ALLOW_UNSAFE_PUBLIC_URL' });
  }
  if (!present(env.DATABASE_URL)) {
    findings.push({
      variable: 'DATABASE_URL',
      reason: 'is required in production: the embedded database is for a single development process',
      override: 'ALLOW_UNSAFE_EMBEDDED_DATABASE',
    });
  }
  for (const finding of findings) {
    (finding.override && isTrue(env[finding.override]) ? verdict.overridden : verdict.refused).push(finding);
  }
  return verdict;
}

export function describeFinding(finding: SafetyFinding): string {
  const escape = finding.override ? ` (a staging box may set ${finding.override}=true)` : '';
  return `${finding.variable} ${finding.reason}${escape}`;
}
