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

// Suites run in parallel Jest workers against one database, so numbers must not collide across
// workers (each draws from its own area code) nor across the suites one worker runs in turn (each
// suite loads this file afresh and starts its counter at the clock, in ms, which has moved on by
// more numbers than the previous suite used; it wraps after 8 million ms, over two hours). The
// exchange digit stays 2-9, as validation needs. (The old start, clock + counter * 7919, let two
// suites of one run land on the same number.)
const AREA_CODES = ['415', '628', '650', '510', '408', '925', '707', '831'];
const areaCode = AREA_CODES[(Number(process.env.JEST_WORKER_ID ?? 1) - 1) % AREA_CODES.length];
let numberCounter = Date.now() % 8_000_000;
/** A valid, unique US number (unique within a test run). */
export function uniquePhoneNumber(): string {
  numberCounter = (numberCounter + 1) % 8_000_000;
  return `+1${areaCode}${2_000_000 + numberCounter}`;
}
