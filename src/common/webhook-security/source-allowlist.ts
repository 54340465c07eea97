import proxyAddr from '@fastify/proxy-addr';

/**
 * Optional source-address allowlists for provider webhooks (TWILIO_WEBHOOK_ALLOWED_IPS,
 * ELEVENLABS_WEBHOOK_ALLOWED_IPS): defence in depth, checked on the client address Fastify
 * resolved through TRUSTED_PROXIES, always in addition to the signature, never instead of it.
 * Matching is @fastify/proxy-addr's (the library behind Fastify's trustProxy): IPv4, IPv6, CIDR
 * and netmask notation, the names loopback/linklocal/uniquelocal, and IPv4-mapped IPv6 addresses
 * (::ffff:203.0.113.5) against IPv4 ranges.
 */
export interface SourceAllowlist {
  /** False when the list is empty: every address passes (the check is off). */
  readonly enabled: boolean;
  allows(address: string | undefined | null): boolean;
}

const OPEN: SourceAllowlist = { enabled: false, allows: () => true };

/** The entries that proxy-addr cannot parse (empty when the list is valid). */
export function invalidAllowlistEntries(entries: string[]): string[] {
  return entries.filter((entry) => {
    try {
      proxyAddr.compile(entry);
      return false;
    } catch {
      return true;
    }
  });
}

/** Compiles a list once (at boot); throws on an entry it cannot parse. */
export function compileSourceAllowlist(entries: string[]): SourceAllowlist {
  if (entries.length === 0) return OPEN;
  const matches = proxyAddr.compile(entries);
  // proxy-addr answers false for anything that is not an IP address (an unknown peer included).
  return { enabled: true, allows: (address) => typeof address === 'string' && address.length > 0 && matches(address, 0) };
}
