import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTenant, type CreatedTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';

// A tenant key must never read or change another tenant: every tenant-scoped endpoint answers
// 404 (not 403, so ids do not leak), and nothing changes.
describe('Tenant isolation', () => {
  let t: TestApp;
  let a: CreatedTenant;
  let b: CreatedTenant;
  let bKeyId: string;
  let bNumberId: string;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createTenant(t);
    b = await createTenant(t);
    bKeyId = b.apiKeyId;
    bNumberId = (await t.api('POST', `/api/tenants/${b.id}/phone-numbers`, { phoneNumber: uniquePhoneNumber() })).json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const crossTenantRequests = (): Array<[string, string, unknown?]> => [
    ['GET', `/api/tenants/${b.id}`],
    ['PATCH', `/api/tenants/${b.id}`, { name: 'Hijacked' }],
    ['POST', `/api/tenants/${b.id}/api-keys`, { name: 'stolen' }],
    ['GET', `/api/tenants/${b.id}/api-keys`],
    ['DELETE', `/api/tenants/${b.id}/api-keys/${bKeyId}`],
    ['GET', `/api/tenants/${b.id}/phone-numbers`],
    ['DELETE', `/api/tenants/${b.id}/phone-numbers/${bNumberId}`],
  ];

  it('should answer 404 to every tenant-scoped endpoint of another tenant and change nothing', async () => {
    const snapshot = () =>
      Promise.all([
        t.dataSource.query('SELECT name, settings FROM tenants WHERE id = $1', [b.id]),
        t.dataSource.query('SELECT id, revoked_at FROM tenant_api_keys WHERE tenant_id = $1 ORDER BY id', [b.id]),
        t.dataSource.query('SELECT id FROM phone_numbers WHERE tenant_id = $1 ORDER BY id', [b.id]),
      ]);
    const before = await snapshot();
    for (const [method, url, body] of crossTenantRequests()) {
      const res = await t.api(method, url, body, a.apiKey);
      expect({ method, url, status: res.statusCode }).toEqual({ method, url, status: 404 });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('should answer 403 to admin-only endpoints', async () => {
    const adminOnly = [
      ['GET', '/api/tenants'],
      ['POST', `/api/tenants/${b.id}/suspend`],
      ['POST', `/api/tenants/${a.id}/suspend`],
      ['POST', `/api/tenants/${b.id}/phone-numbers`],
      ['POST', `/api/tenants/${a.id}/phone-numbers`],
    ] as const;
    for (const [method, url] of adminOnly) {
      expect((await t.api(method, url, method === 'GET' ? undefined : { phoneNumber: uniquePhoneNumber() }, a.apiKey)).statusCode).toBe(403);
    }
  });

  it('should still let a tenant reach its own resources', async () => {
    expect((await t.api('GET', `/api/tenants/${a.id}`, undefined, a.apiKey)).statusCode).toBe(200);
  });
});
