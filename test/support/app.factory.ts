import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.setup.js';
import { type AppConfig, loadAppConfig } from '../../src/config/app-config.js';
import { TEST_ENV } from '../setup/test-env.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataSource: DataSource;
  adminKey: string;
  /** Every route Fastify registered (method, url with :params), for the OpenAPI contract walk. */
  routes: { method: string; url: string }[];
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** JSON request with a bearer key (the admin key by default). */
  api(method: InjectOptions['method'], url: string, body?: unknown, key?: string): Promise<LightMyRequestResponse>;
  /** Listens on 127.0.0.1:<random port> (WebSocket tests); returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Boots the real application (same createApp() as main.ts) on the database the run uses: the
 * fresh PostgreSQL database made by global-setup, or embedded PGlite in a temporary DATA_DIR.
 */
export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const env = {
    ...TEST_ENV,
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, DB_POOL_SIZE: '5' } : {}),
    ...overrides,
  };
  const config = loadAppConfig(env);
  const app = await createApp(config, { quiet: true });
  const routes: { method: string; url: string }[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const fastify = app.getHttpAdapter().getInstance();
  const inject = (opts: InjectOptions) => fastify.inject(opts);
  return {
    app,
    config,
    dataSource: app.get(DataSource),
    adminKey: config.auth.adminApiKey,
    routes,
    inject,
    api: (method, url, body, key = config.auth.adminApiKey) =>
      inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: body === undefined ? undefined : JSON.stringify(body),
      }),
    listen: async () => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.getHttpServer().address() as { port: number };
      return `http://127.0.0.1:${address.port}`;
    },
    close: async () => {
      await app.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
