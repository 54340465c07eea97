import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

const requestIds = new WeakMap<IncomingMessage, string>();
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type TrustFn = (address: string, hop: number) => boolean;

export function compileTrust(trustedProxies: string[]): TrustFn {
  return trustedProxies.length > 0 ? proxyAddr.compile(trustedProxies) : () => false;
}

/**
 * The correlation id of a request: the caller's `x-request-id` when the direct peer is one of our
 * trusted load balancers (anyone else could forge it), otherwise a new UUID. Memoized per raw
 * request so Fastify, the logger and the audit log agree.
 */
export function requestIdFor(req: IncomingMessage, trust: TrustFn): string {
  const cached = requestIds.get(req);
  if (cached) return cached;
  const header = req.headers['x-request-id'];
  const incoming = Array.isArray(header) ? header[0] : header;
  const peer = req.socket?.remoteAddress ?? '';
  const id = incoming && VALID_ID.test(incoming) && trust(peer, 0) ? incoming : randomUUID();
  requestIds.set(req, id);
  return id;
}
