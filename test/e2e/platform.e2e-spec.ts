import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ShutdownService } from '../../src/common/lifecycle/shutdown.service.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';

describe('Platform endpoints', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Requests from loopback (fastify inject) come from a trusted proxy in this suite.
    t = await createTestApp({ TRUSTED_PROXIES: '127.0.0.1', BODY_LIMIT_BYTES: '4096', CORS_ORIGINS: 'https://dashboard.example.test' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('should answer liveness and readiness without a key', async () => {
    expect((await t.inject({ method: 'GET', url: '/api/health' })).json()).toEqual({ status: 'ok' });
    const ready = await t.inject({ method: 'GET', url: '/api/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().details.database.status).toBe('up');
  });

  it('should expose Prometheus metrics with HTTP durations by route', async () => {
    await t.api('GET', '/api/tenants');
    const res = await t.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/tenants",status_code="200"\} \d+/);
  });

  it('should publish an OpenAPI document covering the admin endpoints', async () => {
    const res = await t.inject({ method: 'GET', url: '/docs-json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/tenants',
        '/api/tenants/{id}',
        '/api/tenants/{id}/api-keys',
        '/api/tenants/{id}/phone-numbers',
        '/api/tenants/{id}/suspend',
      ]),
    );
    expect((await t.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
  });

  it('should echo a request id from a trusted proxy, and make one otherwise', async () => {
    const echoed = await t.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'lb-abc-123' } });
    expect(echoed.headers['x-request-id']).toBe('lb-abc-123');
    const untrusted = await t.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'lb-abc-123' }, remoteAddress: '203.0.113.9' });
    expect(untrusted.headers['x-request-id']).not.toBe('lb-abc-123');
    expect(untrusted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should answer CORS preflights for the configured dashboard origin only', async () => {
    const preflight = (origin: string) =>
      t.inject({
        method: 'OPTIONS',
        url: '/api/tenants',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://dashboard.example.test');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://dashboard.example.test');
    expect(String(allowed.headers['access-control-allow-headers'])).toContain('authorization');
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('should refuse a body over the limit with 413', async () => {
    const res = await t.api('POST', '/api/tenants', { name: 'x'.repeat(5000) });
    expect(res.statusCode).toBe(413);
  });

  it('should answer 404 as JSON for an unknown route', async () => {
    const res = await t.api('GET', '/api/nope');
    expect(res.statusCode).toBe(404);
  });

  it('should fail readiness at once when draining, while live work finishes', async () => {
    const shutdown = t.app.get(ShutdownService);
    let active = 1;
    shutdown.register({ name: 'fake-calls', activeCount: () => active, endAll: async () => void (active = 0) });
    const drained = shutdown.drain(5_000, 20);
    const ready = await t.inject({ method: 'GET', url: '/api/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error.lifecycle.draining).toBe(true);
    // Other requests are still served while draining (status callbacks for live calls).
    expect((await t.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    active = 0;
    await drained;
  });
});
