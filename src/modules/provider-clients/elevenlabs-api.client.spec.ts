import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../../config/app-config.js';
import { ElevenLabsApiClient, ElevenLabsApiError } from './elevenlabs-api.client.js';
import type { TenantCredentialsStore } from './tenant-credentials-store.port.js';

// The client against a real HTTP server on loopback that answers, fails, or never answers.
// `request` is private; the timeout is called directly with a short value so a hung server
// costs this test 100 ms instead of the production 5–10 s.

type Request = (
  method: string,
  path: string,
  apiKey: string,
  timeoutMs: number,
  body?: unknown,
  signal?: AbortSignal,
  as?: 'json' | 'text',
) => Promise<unknown>;

describe('ElevenLabsApiClient', () => {
  let server: Server;
  let client: ElevenLabsApiClient;
  let request: Request;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/hang')) return; // headers never come
      if (req.url?.startsWith('/slow-body')) return void res.writeHead(200, { 'content-type': 'application/json' }).write('{"a":');
      if (req.url?.startsWith('/fail')) return void res.writeHead(500).end('nope');
      if (req.url?.startsWith('/not-json')) return void res.writeHead(200).end('<html>');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ signed_url: 'wss://127.0.0.1/x', key: req.headers['xi-api-key'] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = {
      elevenlabs: { apiBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` },
      auth: { encryptionKey: Buffer.alloc(32, 1) },
    } as unknown as AppConfig;
    client = new ElevenLabsApiClient(config, {} as TenantCredentialsStore);
    request = (client as unknown as { request: Request }).request.bind(client);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should send the key and parse the answer', async () => {
    await expect(client.getSignedUrl('xi-key', 'agent_1')).resolves.toBe('wss://127.0.0.1/x');
    await expect(request('GET', '/ok', 'k2', 1_000)).resolves.toMatchObject({ key: 'k2' });
  });

  it('should give up on a server that never answers, naming the timeout', async () => {
    const started = Date.now();
    const err = await request('GET', '/hang', 'k', 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ElevenLabsApiError);
    expect((err as Error).message).toBe('ElevenLabs GET /hang failed: timed out after 100 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('should give up on a body that never ends, naming the timeout', async () => {
    const err = await request('GET', '/slow-body', 'k', 100).catch((e: unknown) => e);
    expect((err as Error).message).toBe('ElevenLabs GET /slow-body failed: timed out after 100 ms');
  });

  it('should report the upstream status and an answer that is not JSON', async () => {
    const failed = await request('GET', '/fail', 'k', 1_000).catch((e: unknown) => e);
    expect(failed).toMatchObject({ message: 'ElevenLabs GET /fail answered 500', status: 500 });
    const notJson = await request('GET', '/not-json', 'k', 1_000).catch((e: unknown) => e);
    expect(notJson).toMatchObject({ message: 'ElevenLabs GET /not-json answered with invalid JSON', status: 200 });
  });

  it("should stop at the caller's abort without calling it a timeout", async () => {
    const caller = new AbortController();
    const pending = request('GET', '/hang', 'k', 5_000, undefined, caller.signal).catch((e: unknown) => e);
    caller.abort();
    const err = (await pending) as Error;
    expect(err).toBeInstanceOf(ElevenLabsApiError);
    expect(err.message).not.toContain('timed out');
  });
});
