import { createHmac, timingSafeEqual } from 'node:crypto';

// Twilio request validation, https://www.twilio.com/docs/usage/security ("Validating requests"),
// reimplemented after twilio-node src/webhooks/webhooks.ts and checked in tests against the
// official `getExpectedTwilioSignature`: HMAC-SHA1 (base64) over the URL Twilio requested followed
// by every POST field name+value, sorted by name (repeated fields: each value, sorted). Twilio
// signs voice URLs without the default port and some others with it, so both forms are tried.

export type TwilioParams = Record<string, string | string[] | undefined>;

export function computeTwilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** The URL as Twilio may have signed it: as given, without its default port, and with it. */
export function signatureUrlCandidates(url: string): string[] {
  const match = /^([a-z]+):\/\/([^/?#]+)(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme, authority, rest] = match;
  const defaultPort = /^(https|wss)$/i.test(scheme) ? '443' : '80';
  const [host, port] = authority.split(':');
  if (port && port !== defaultPort) return [url];
  return [...new Set([url, `${scheme}://${host}${rest}`, `${scheme}://${host}:${defaultPort}${rest}`])];
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Form-encoded webhooks (and the WebSocket upgrade, with no params): constant-time. */
export function verifyTwilioSignature(authToken: string, signature: string, url: string, params: TwilioParams): boolean {
  let ok = false;
  // Evaluate every candidate (no early exit), so timing does not depend on which one matched.
  for (const candidate of signatureUrlCandidates(url)) ok = safeEqual(computeTwilioSignature(authToken, candidate, params), signature) || ok;
  return ok;
}

/** JSON webhooks: the URL carries bodySHA256=<hex sha256 of the raw body> and is signed alone. */
export function verifyTwilioJsonSignature(authToken: string, signature: string, url: string, rawBody: Buffer, sha256Hex: (b: Buffer) => string): boolean {
  const bodyHash = new URL(url).searchParams.get('bodySHA256');
  if (!bodyHash) return false;
  const signed = verifyTwilioSignature(authToken, signature, url, {});
  return safeEqual(sha256Hex(rawBody), bodyHash) && signed;
}
