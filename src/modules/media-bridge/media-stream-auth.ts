import { verifyTwilioSignature } from '../../common/webhook-security/twilio-signature.js';

// Authentication of a Twilio media stream (docs/protocols.md §1.4): the upgrade is signed over the PUBLIC
// wss:// URL with no parameters; Twilio's docs advise also trying the URL with a trailing slash.

/** `PUBLIC_BASE_URL` (http→ws, https→wss, path prefix kept) + the request path, with and without a trailing slash. */
export function publicStreamUrls(publicBaseUrl: string, requestUrl: string): string[] {
  const url = publicBaseUrl.replace(/^http/i, 'ws').replace(/\/+$/, '') + (requestUrl.startsWith('/') ? requestUrl : `/${requestUrl}`);
  if (url.includes('?')) return [url];
  return url.endsWith('/') ? [url, url.replace(/\/+$/, '')] : [url, `${url}/`];
}

/** True when the signature verifies for any candidate URL; every candidate is computed (no early exit). */
export function verifyStreamSignature(authToken: string, signature: string, urls: string[]): boolean {
  let ok = false;
  for (const url of urls) ok = verifyTwilioSignature(authToken, signature, url, {}) || ok;
  return ok;
}

export interface StreamStart {
  streamSid: string;
  callSid: string;
  accountSid: string;
  sessionToken: string | null;
  callId: string | null;
}

const SID = { stream: /^MZ[0-9a-fA-F]{32}$/, call: /^CA[0-9a-fA-F]{32}$/, account: /^AC[0-9a-fA-F]{32}$/ };

/** Twilio's `start` message (docs/protocols.md §2.2), or null when it is not a well-formed one. */
export function parseStreamStart(msg: unknown): StreamStart | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as { event?: unknown; start?: Record<string, unknown> };
  const start = m.start;
  if (m.event !== 'start' || typeof start !== 'object' || start === null) return null;
  const { streamSid, callSid, accountSid } = start;
  if (typeof streamSid !== 'string' || !SID.stream.test(streamSid)) return null;
  if (typeof callSid !== 'string' || !SID.call.test(callSid)) return null;
  if (typeof accountSid !== 'string' || !SID.account.test(accountSid)) return null;
  const params = (typeof start.customParameters === 'object' && start.customParameters !== null ? start.customParameters : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 500 ? v : null);
  return { streamSid, callSid, accountSid, sessionToken: text(params.sessionToken), callId: text(params.callId) };
}
