import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { Public } from '../../src/common/auth/auth.decorators.js';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createFastifyAdapter } from '../../src/app.setup.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { createTenant } from '../factories/tenant.factory.js';
import { createTestApp, TestApp } from '../support/app.factory.js';
import { TEST_ENV } from '../setup/test-env.js';

const ERROR_KEYS = new Set(['statusCode', 'error', 'code', 'message', 'details', 'errorId']);

/** Every error body has exactly the documented keys, a reason phrase and a SCREAMING_SNAKE code. */
function expectErrorShape(res: LightMyRequestResponse, statusCode: number, error: string, code?: string): Record<string, unknown> {
  expect(res.statusCode).toBe(statusCode);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json<Record<string, unknown>>();
  expect(Object.keys(body).filter((k) => !ERROR_KEYS.has(k))).toEqual([]);
  expect(body).toMatchObject({ statusCode, error });
  expect(body.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  if (code) expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  return body;
}

describe('One error shape everywhere', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('400 validation: names every bad field in details', async () => {
    const res = await t.api('POST', '/api/tenants', { name: 42, slug: 'Bad Slug!', plan: 'gold' });
    const body = expectErrorShape(res, 400, 'Bad Request', 'VALIDATION_FAILED');
    const fields = (body.details as { field: string; messages: string[] }[]).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'slug', 'plan']));
    expect(body.message).toContain('Validation failed');
  });

  it('400 bad UUID: names the parameter', async () => {
    const body = expectErrorShape(await t.api('GET', '/api/tenants/not-a-uuid'), 400, 'Bad Request', 'INVALID_UUID');
    expect(body.message).toMatch(/^id must be a UUID/);
    const key = expectErrorShape(await t.api('DELETE', '/api/tenants/00000000-0000-4000-8000-000000000000/api-keys/zzz'), 400, 'Bad Request', 'INVALID_UUID');
    expect(key.message).toMatch(/^keyId must be a UUID/);
  });

  it('400 when the admin key omits tenantId on a tenant-scoped route (not a 404)', async () => {
    for (const url of ['/api/leads', '/api/calls', '/api/usage', '/api/scheduling/services']) {
      const body = expectErrorShape(await t.api('GET', url), 400, 'Bad Request', 'TENANT_REQUIRED');
      expect(body.message).toContain('tenantId');
    }
    const sms = expectErrorShape(await t.api('POST', '/api/messages/sms', { to: '+14155550123', body: 'hi' }), 400, 'Bad Request', 'TENANT_REQUIRED');
    expect(sms.message).toContain('tenantId');
  });

  it('400 for malformed JSON, saying so', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/tenants',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    const body = expectErrorShape(res, 400, 'Bad Request', 'INVALID_JSON');
    expect(body.message).toContain('not valid JSON');
  });

  it('401 without a key and with a wrong key; 403 for a tenant key on an admin route', async () => {
    expectErrorShape(await t.inject({ method: 'GET', url: '/api/tenants' }), 401, 'Unauthorized', 'MISSING_API_KEY');
    expectErrorShape(await t.api('GET', '/api/tenants', undefined, 'sk_wrong'), 401, 'Unauthorized', 'INVALID_API_KEY');
    const tenant = await createTenant(t);
    expectErrorShape(await t.api('GET', '/api/tenants', undefined, tenant.apiKey), 403, 'Forbidden', 'ADMIN_KEY_REQUIRED');
  });

  it('401/403 from webhook signature guards carry a fixed body with no detail', async () => {
    const missing = await t.inject({
      method: 'POST',
      url: '/api/webhooks/twilio/voice',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'CallSid=CA1&To=%2B14155550123',
    });
    expect(missing.json()).toEqual({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHENTICATED', message: 'Unauthorized' });
    const forged = await t.inject({
      method: 'POST',
      url: '/api/webhooks/twilio/voice',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'Zm9yZ2Vk' },
      payload: 'CallSid=CA1&To=%2B14155550123',
    });
    expect(forged.json()).toEqual({ statusCode: 403, error: 'Forbidden', code: 'FORBIDDEN', message: 'Forbidden' });
  });

  it('404 for an unknown route and for an unknown id, each with its code', async () => {
    expectErrorShape(await t.api('GET', '/api/no-such-route'), 404, 'Not Found', 'NOT_FOUND');
    expectErrorShape(await t.api('GET', '/api/tenants/00000000-0000-4000-8000-000000000000'), 404, 'Not Found', 'TENANT_NOT_FOUND');
  });

  it('409 for a taken slug', async () => {
    const tenant = await createTenant(t);
    const body = expectErrorShape(await t.api('POST', '/api/tenants', { name: 'Again', slug: tenant.slug }), 409, 'Conflict', 'SLUG_TAKEN');
    expect(body.message).toContain('already taken');
  });

  it('413 for a body over BODY_LIMIT_BYTES, naming the limit', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(t.config.http.bodyLimitBytes + 10) });
    const res = await t.inject({
      method: 'POST',
      url: '/api/tenants',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      payload: big,
    });
    const body = expectErrorShape(res, 413, 'Payload Too Large', 'PAYLOAD_TOO_LARGE');
    expect(body.message).toContain(String(t.config.http.bodyLimitBytes));
  });

  it('415 for a non-JSON body on a JSON endpoint, forms included, saying what to send', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await t.inject({
        method: 'POST',
        url: '/api/tenants',
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': type },
        payload: 'name=Acme',
      });
      const body = expectErrorShape(res, 415, 'Unsupported Media Type', 'UNSUPPORTED_MEDIA_TYPE');
      expect(body.message).toContain(type);
      expect(body.message).toContain('application/json');
    }
    const count = Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM tenants WHERE name = 'Acme'`))[0].n);
    expect(count).toBe(0);
  });
});

@Controller('boom')
class BoomController {
  @Get()
  @Public()
  boom(): never {
    throw new Error('connect ECONNREFUSED 10.1.2.3:5432 at /srv/switchboard/secret.ts');
  }
}

describe('500: an errorId and no internals', () => {
  let app: NestFastifyApplication;
  let dataDir: string | undefined;
  beforeAll(async () => {
    dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'switchboard-test-'));
    const db = process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, DB_POOL_SIZE: '2' } : { DATA_DIR: dataDir as string };
    const config = loadAppConfig({ ...TEST_ENV, ...db });
    // The real application and plumbing, plus one route that fails the way a bug would.
    @Module({ imports: [AppModule.forRoot(config)], controllers: [BoomController] })
    class BoomModule {}
    app = await NestFactory.create<NestFastifyApplication>(BoomModule, createFastifyAdapter(config), { logger: false, rawBody: true });
    configureApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the shape with errorId = the request id, and leaks nothing', async () => {
    const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/api/boom' });
    const body = expectErrorShape(res, 500, 'Internal Server Error', 'INTERNAL_ERROR');
    expect(body.errorId).toBe(res.headers['x-request-id']);
    expect(body.message).toContain(String(body.errorId));
    expect(res.body).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|secret\.ts|stack/);
  });
});
