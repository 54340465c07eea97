import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../support/free-port.js';

// The real process, started as a user starts it (node dist/src/main.js), not the app in Jest:
// production refusals must stop the boot itself, and the quick start must accept a signed call.
const ROOT = process.cwd();
const MAIN = resolve(ROOT, 'dist/src/main.js');
const CALL = resolve(ROOT, 'dist/test/demo/call-live.js');
// The processes' working directory: no .env of the checkout is read.
const SCRATCH = mkdtempSync(join(tmpdir(), 'switchboard-boot-'));

// A clean environment: nothing from the test run's own (DATABASE_URL, NODE_ENV=test...) leaks in.
function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_PRETTY: 'false', HOST: '127.0.0.1', PORT: '0' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

const SAFE_PRODUCTION = {
  NODE_ENV: 'production',
  ADMIN_API_KEY: randomBytes(24).toString('base64url'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  PUBLIC_BASE_URL: 'https://voice.acme-telecom.com',
  // Refused before any connection is made: the configuration check runs first.
  DATABASE_URL: 'postgres://switchboard@127.0.0.1:1/switchboard',
};

function runToExit(env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [MAIN], { env, cwd: SCRATCH, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function startService(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, [MAIN], { env, cwd: SCRATCH, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      clearInterval(check);
      child.kill('SIGKILL');
      reject(new Error(`The service did not start:\n${output}`));
    }, 45_000);
    const check = setInterval(() => {
      const listening = /"msg":"Listening on [^"]*?:(\d+)"/.exec(output);
      if (listening) {
        clearInterval(check);
        clearTimeout(timer);
        resolveStart({ child, port: Number(listening[1]), output: () => output });
      } else if (child.exitCode !== null) {
        clearInterval(check);
        clearTimeout(timer);
        reject(new Error(`The service exited (${child.exitCode}):\n${output}`));
      }
    }, 100);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

describe('The real process at boot', () => {
  beforeAll(() => {
    // One build per run; the test then starts exactly what `npm start` starts.
    execFileSync(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  }, 180_000);

  describe('production refuses unsafe settings, naming the variable', () => {
    it.each([
      ['ADMIN_API_KEY', { ADMIN_API_KEY: undefined }, /ADMIN_API_KEY is required in production/],
      ['ADMIN_API_KEY', { ADMIN_API_KEY: 'change-me-to-a-long-random-admin-key' }, /ADMIN_API_KEY is the placeholder from \.env\.example/],
      ['ENCRYPTION_KEY', { ENCRYPTION_KEY: '0'.repeat(64) }, /ENCRYPTION_KEY is the placeholder/],
      ['ENCRYPTION_KEY', { ENCRYPTION_KEY: 'ab'.repeat(32) }, /ENCRYPTION_KEY is too weak/],
      ['TWILIO_VALIDATE_SIGNATURES', { TWILIO_VALIDATE_SIGNATURES: 'false' }, /TWILIO_VALIDATE_SIGNATURES is false/],
      ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'http://voice.acme-telecom.com' }, /PUBLIC_BASE_URL must be https/],
      ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'https://127.0.0.1:3000' }, /PUBLIC_BASE_URL points at 127\.0\.0\.1/],
      ['DATABASE_URL', { DATABASE_URL: undefined }, /DATABASE_URL is required in production: the embedded database/],
    ])('%s: %j', (_name, change, message) => {
      const { status, output } = runToExit(baseEnv({ ...SAFE_PRODUCTION, ...change }));
      expect(status).toBe(1);
      expect(output).toMatch(message);
      // One JSON line says it (production logs are JSON), and nothing starts.
      const fatal = output.split('\n').filter((l) => l.includes('"level":60'));
      expect(fatal).toHaveLength(1);
      expect(output).not.toContain('Listening on');
    });
  });

  it('should start with an explicit override, and say so loudly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-boot-'));
    const { child, output } = await startService(
      baseEnv({ ...SAFE_PRODUCTION, DATABASE_URL: undefined, DATA_DIR: dataDir, ALLOW_UNSAFE_EMBEDDED_DATABASE: 'true', LOG_LEVEL: 'info' }),
    );
    try {
      expect(output()).toMatch(/"level":40,.*UNSAFE PRODUCTION SETTING ALLOWED BY OVERRIDE: DATABASE_URL is required in production/);
      // Nest's wiring lines are debug; the boot steps are info.
      expect(output()).not.toMatch(/dependencies initialized|Mapped \{/);
      expect(output()).toMatch(/"msg":"Configuration loaded"[\s\S]*"msg":"Ready"/);
    } finally {
      await stop(child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('should accept a signed call on a fresh quick-start install (npm run call)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-quickstart-'));
    // The quick start: no configuration but a port, the embedded database, development secrets
    // generated; PUBLIC_BASE_URL follows PORT (http://localhost:<PORT>), as the signatures do.
    const { child, port, output } = await startService(baseEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'info', PORT: String(await freePort()) }));
    try {
      expect(output()).toMatch(/Development secrets generated[\s\S]*TWILIO_ACCOUNT_SID=AC[0-9a-f]{32}/);
      const call = spawnSync(
        process.execPath,
        [CALL, '--target', `http://127.0.0.1:${port}`, '--public-url', `http://localhost:${port}`, '--data-dir', dataDir],
        {
          env: baseEnv({}),
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      const printed = `${call.stdout}${call.stderr}`;
      expect({ status: call.status, printed }).toMatchObject({ status: 0 });
      expect(printed).toMatch(/voice webhook\s+→ 200 Connect/);
      expect(printed).toMatch(/media stream\s+→ open \(ws:\/\/localhost:\d+\/media-stream\)/);
      // No ElevenLabs is configured on a fresh install: the call says where it stopped, and why.
      expect(printed).toMatch(/failure: ElevenLabs agent signed_url_failed: No ElevenLabs API key is configured \(ELEVENLABS_API_KEY\)/);
    } finally {
      await stop(child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));
});
