import { randomUUID } from 'node:crypto';
import type { TestApp } from '../support/app.factory.js';

let counter = 0;

export interface CreatedTenant {
  id: string;
  slug: string;
  apiKey: string;
  apiKeyId: string;
  body: Record<string, unknown>;
}

/** A fresh tenant (and one API key) per test, so tests never share rows. */
export async function createTenant(t: TestApp, overrides: Record<string, unknown> = {}): Promise<CreatedTenant> {
  const slug = `t-${Date.now().toString(36)}-${(counter++).toString(36)}-${randomUUID().slice(0, 6)}`;
  const res = await t.api('POST', '/api/tenants', { name: `Tenant ${slug}`, slug, ...overrides });
  if (res.statusCode !== 201) throw new Error(`tenant create failed: ${res.statusCode} ${res.body}`);
  const tenant = res.json();
  const keyRes = await t.api('POST', `/api/tenants/${tenant.id}/api-keys`, { name: 'test' });
  if (keyRes.statusCode !== 201) throw new Error(`api key create failed: ${keyRes.statusCode} ${keyRes.body}`);
  return { id: tenant.id, slug, apiKey: keyRes.json().key, apiKeyId: keyRes.json().id, body: tenant };
}

let numberCounter = 0;
/** A valid, unique US number in the 415 area (the exchange must start with 2-9 to be valid). */
export function uniquePhoneNumber(): string {
  const n = (Date.now() + numberCounter++ * 7919 + process.pid * 104_729) % 8_000_000;
  return `+1415${2_000_000 + n}`;
}
