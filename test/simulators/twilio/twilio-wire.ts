// Small wire-level helpers shared by the Twilio simulators: SIDs, dates, form bodies, signing.
// Signing always goes through the official SDK so the simulator never shares code with our
// own verifier in src/ (see docs/protocols.md §1).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';

/** Form parameters as Twilio sends them; repeated keys become arrays. */
export type TwilioParams = Record<string, string | string[]>;

export const TWILIO_API_VERSION = '2010-04-01';

/** 'CA' + 32 lowercase hex, the shape of every Twilio SID. */
export function newTwilioSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** RFC 2822 in UTC as Twilio writes it: 'Tue, 31 Aug 2010 20:36:28 +0000'. */
export function formatRfc2822(date: Date = new Date()): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export function signTwilioRequest(authToken: string, url: string, params: TwilioParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** application/x-www-form-urlencoded with repeated keys for arrays (the SDK's `arrayFormat: repeat`). */
export function encodeForm(params: TwilioParams): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
  }
  return out.toString();
}

/**
 * A webhook request exactly as Twilio sends it: the form-encoded params, signed with `authToken`
 * over `publicBaseUrl + path` (the URL Twilio was given). Ready for fastify's inject.
 */
export function signedTwilioForm(authToken: string, publicBaseUrl: string, path: string, params: TwilioParams) {
  return {
    method: 'POST' as const,
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(authToken, `${publicBaseUrl}${path}`, params) },
    payload: encodeForm(params),
  };
}

/** Parses a form body or query string; a key seen more than once becomes an array. */
export function parseForm(body: string): TwilioParams {
  const out: TwilioParams = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** Decoded byte count of a base64 string without decoding it. */
export function base64ByteLength(b64: string): number {
  const len = b64.length;
  if (len === 0) return 0;
  let padding = 0;
  if (b64.charCodeAt(len - 1) === 61 /* = */) padding++;
  if (len > 1 && b64.charCodeAt(len - 2) === 61) padding++;
  return Math.floor((len * 3) / 4) - padding;
}

export interface SimpleHttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One-shot HTTP(S) request without keep-alive, so tests never leave pooled sockets behind. */
export function sendHttpRequest(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<SimpleHttpResponse> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const body = init.body ?? '';
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: init.method,
        agent: false,
        headers: { ...init.headers, ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) },
        timeout: init.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // Twilio gives up after 15 s (error 11205); tests use this to spot slow handlers.
    req.on('timeout', () => req.destroy(new Error(`HTTP request to ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
