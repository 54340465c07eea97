// Soak benchmark (issue 13): does memory grow with the calls one process has served? `npm run bench:soak`.
// Many rounds of concurrent calls against ONE app process, each call driven as Twilio drives it:
//   signed voice webhook → <Connect><Stream> TwiML → signed media stream with its session token
//   → audio both ways through the real bridge and a fake ElevenLabs echo agent → caller hangs up
//   (stop) → status callback `completed`.
// Between rounds, once every call has left the bridge, the app process is told over its IPC
// channel (no HTTP endpoint) to run full collections (it runs with --expose-gc) and to report
// process.memoryUsage(). The result is the growth of heapUsed per 1,000 calls after warm-up.
//
// Environment (all optional): BENCH_SOAK_ROUNDS (10), BENCH_SOAK_CALLS (calls per round, 150),
// BENCH_SOAK_CALL_MS (audio per call after every call of the round is up, 2000),
// BENCH_SOAK_WARMUP_ROUNDS (rounds left out of the slope, 2), BENCH_SOAK_MAX_SECONDS (no new round
// starts after this, 170), BENCH_SOAK_HEAP_SNAPSHOTS=<dir> (heap snapshots after the warm-up and
// after the last round, for a comparison in Chrome DevTools' Memory tab), DATABASE_URL (default:
// the local PostgreSQL). Loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { TwilioCallSimulator } from '../../test/simulators/twilio/twilio-call-simulator.js';
import { signTwilioRequest } from '../../test/simulators/twilio/twilio-wire.js';
import { IpcClient } from '../media-bridge/ipc.js';
import type { BenchCall, RunResult, RunSpec } from '../media-bridge/load-generator.process.js';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { withBenchDatabase } from '../support/bench-database.js';

const PUBLIC_BASE_URL = 'https://soak.switchboard.test';
const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const AUTH_TOKEN = randomBytes(16).toString('hex');
const ADMIN_API_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;
const AGENT_ID = 'soak-agent';
const NUMBERS = 10;
const WEBHOOK_CONCURRENCY = 25;

const envNumber = (name: string, fallback: number, max: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0 || value > max) throw new Error(`${name} must be a number from 0 to ${max}`);
  return value;
};
const ROUNDS = envNumber('BENCH_SOAK_ROUNDS', 10, 100);
const CALLS = envNumber('BENCH_SOAK_CALLS', 150, 1_000);
const CALL_MS = envNumber('BENCH_SOAK_CALL_MS', 2_000, 60_000);
const WARMUP_ROUNDS = envNumber('BENCH_SOAK_WARMUP_ROUNDS', 2, 50);
const MAX_SECONDS = envNumber('BENCH_SOAK_MAX_SECONDS', 170, 3_600);
const SNAPSHOT_DIR = process.env.BENCH_SOAK_HEAP_SNAPSHOTS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => bytes / 1024 / 1024;
const phone = (i: number) => `+1415${String(3_000_000 + i).padStart(7, '0')}`;

/** Starts one of the media-bridge benchmark's helper processes (fake ElevenLabs, load generator). */
async function spawnHelper(file: string): Promise<{ child: ChildProcess; ipc: IpcClient }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'media-bridge', file)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ipc = new IpcClient(child);
  await new Promise<void>((resolve, reject) => {
    ipc.onEvent = (e) => e.event === 'ready' && resolve();
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  ipc.onEvent = () => undefined;
  return { child, ipc };
}

async function stopHelper(h: { child: ChildProcess; ipc: IpcClient }): Promise<void> {
  const exited = new Promise((resolve) => h.child.once('exit', resolve));
  await h.ipc.request('stop', {}, 15_000).catch(() => h.child.kill('SIGKILL'));
  await Promise.race([exited, sleep(5_000)]);
  if (h.child.exitCode === null) h.child.kill('SIGKILL');
}

async function api(baseUrl: string, method: string, path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.json() as Promise<{ id: string }>;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

/** A gauge of the app's /metrics (no labels). */
async function gauge(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : NaN;
}

interface RoundRow {
  round: number;
  calls: number;
  served: number;
  totalServed: number;
  webhookFailures: number;
  refused: number;
  lost: number;
  heapUsedMb: number;
  rssMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  seconds: number;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

async function round(
  app: AppProcess,
  gen: IpcClient,
  fake: IpcClient,
  numbers: string[],
  index: number,
  firstCaller: number,
): Promise<Omit<RoundRow, 'totalServed' | 'heapUsedMb' | 'rssMb' | 'externalMb' | 'arrayBuffersMb' | 'seconds'>> {
  const sims = Array.from(
    { length: CALLS },
    (_, i) =>
      new TwilioCallSimulator({
        appBaseUrl: app.baseUrl,
        publicBaseUrl: PUBLIC_BASE_URL,
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        from: phone(firstCaller + i),
        to: numbers[i % numbers.length],
        timeoutMs: 15_000,
      }),
  );
  // 1. The incoming-call webhook of every call (TwiML <Connect><Stream> with the session token).
  let webhookFailures = 0;
  let streamUrl: string | undefined;
  const answered = await pool(sims, WEBHOOK_CONCURRENCY, async (sim): Promise<BenchCall | undefined> => {
    const voice = await sim.sendVoiceWebhook();
    const stream = voice.twiml?.connect?.stream;
    if (voice.status !== 200 || !stream?.url || !stream.parameters.sessionToken) {
      webhookFailures++;
      return undefined;
    }
    streamUrl ??= stream.url;
    await sim.sendStatusCallback('in-progress');
    return { callSid: sim.callSid, callId: stream.parameters.callId, token: stream.parameters.sessionToken };
  });
  const calls = answered.filter((c): c is BenchCall => c !== undefined);
  if (!streamUrl || calls.length === 0) throw new Error(`round ${index}: no voice webhook answered with <Connect><Stream> (${webhookFailures} failed)`);
  // 2. Twilio opens every stream (signed over the public wss:// URL), sends audio, then hangs up.
  const publicStream = new URL(streamUrl);
  const result = await gen.request<RunResult>(
    'run',
    {
      spec: {
        mode: 'steady',
        url: `ws://127.0.0.1:${new URL(app.baseUrl).port}${publicStream.pathname}`,
        signature: signTwilioRequest(AUTH_TOKEN, streamUrl, {}),
        accountSid: ACCOUNT_SID,
        calls,
        rampMs: Math.max(300, calls.length * 5),
        warmupMs: 500,
        windowMs: CALL_MS,
        drainMs: 300,
      } satisfies RunSpec,
    },
    120_000,
  );
  // 3. The call is over: Twilio's final status callback.
  const served = new Set(calls.map((c) => c.callSid));
  await pool(
    sims.filter((s) => served.has(s.callSid)),
    WEBHOOK_CONCURRENCY,
    async (sim) => {
      const res = await sim.sendStatusCallback('completed');
      if (res.status >= 300) webhookFailures++;
    },
  );
  // 4. Every call must have left the bridge, and every conversation closed, before memory is read.
  for (let i = 0; i < 100; i++) {
    const [live, stats] = await Promise.all([gauge(app.baseUrl, 'media_bridge_live_calls'), fake.request<{ open: number }>('stats')]);
    if (live === 0 && stats.open === 0) break;
    if (i === 99) console.warn(`round ${index}: still ${live} live calls and ${stats.open} open conversations after 10 s`);
    await sleep(100);
  }
  return { round: index, calls: CALLS, served: result.connected - result.refused, webhookFailures, refused: result.refused, lost: result.lost };
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    `Soak benchmark — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${ROUNDS} rounds × ${CALLS} calls, ${CALL_MS} ms of audio each`,
  );
  const outDir = join(process.cwd(), 'dist', 'bench-results');
  mkdirSync(outDir, { recursive: true });
  if (SNAPSHOT_DIR) mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const logFile = join(outDir, 'soak-app.log');
  const rows: RoundRow[] = [];
  let boot: NodeJS.MemoryUsage | undefined;
  await withBenchDatabase('switchboard_soak', async (databaseUrl) => {
    const fake = await spawnHelper('fake-elevenlabs.process.js');
    const gen = await spawnHelper('load-generator.process.js');
    let app: AppProcess | undefined;
    try {
      const { baseUrl: elevenLabsUrl } = await fake.ipc.request<{ baseUrl: string }>('info');
      app = await startAppProcess(
        logFile,
        {
          DATABASE_URL: databaseUrl,
          HOST: '127.0.0.1',
          PUBLIC_BASE_URL,
          ADMIN_API_KEY,
          ENCRYPTION_KEY: randomBytes(32).toString('hex'),
          TWILIO_ACCOUNT_SID: ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: AUTH_TOKEN,
          TWILIO_VALIDATE_SIGNATURES: 'true',
          ELEVENLABS_API_BASE_URL: elevenLabsUrl,
          ELEVENLABS_API_KEY: 'bench-key',
          ELEVENLABS_WEBHOOK_SECRET: 'bench-unused',
          MAX_CONCURRENT_CALLS: '5000',
        },
        { nodeArgs: ['--expose-gc'] },
      );
      const tenant = await api(app.baseUrl, 'POST', '/api/tenants', {
        name: 'Soak tenant',
        settings: { agent: { agentId: AGENT_ID }, handoffNumber: '+14155550100' },
      });
      const numbers = Array.from({ length: NUMBERS }, (_, i) => phone(i));
      for (const e164 of numbers) await api(app.baseUrl, 'POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: e164 });
      boot = (await app.memory()).memory;
      if (!(await app.memory()).collected) throw new Error('the app process was not started with --expose-gc');
      console.log(`idle after boot: heapUsed ${mb(boot.heapUsed).toFixed(1)} MB, RSS ${mb(boot.rss).toFixed(1)} MB`);
      let totalServed = 0;
      for (let r = 1; r <= ROUNDS; r++) {
        if ((Date.now() - started) / 1000 > MAX_SECONDS) {
          console.log(`BENCH_SOAK_MAX_SECONDS (${MAX_SECONDS}) reached: stopping after ${r - 1} rounds`);
          break;
        }
        const t0 = Date.now();
        const row = await round(app, gen.ipc, fake.ipc, numbers, r, 1_000 + (r - 1) * CALLS);
        totalServed += row.served;
        const { memory } = await app.memory();
        const full: RoundRow = {
          ...row,
          totalServed,
          heapUsedMb: mb(memory.heapUsed),
          rssMb: mb(memory.rss),
          externalMb: mb(memory.external),
          arrayBuffersMb: mb(memory.arrayBuffers),
          seconds: (Date.now() - t0) / 1000,
        };
        rows.push(full);
        console.log(
          `round ${String(r).padStart(2)}: ${row.served}/${CALLS} calls served (${totalServed} in all; webhook failures ${row.webhookFailures}, refused ${row.refused}, frames lost ${row.lost}), heapUsed after GC ${full.heapUsedMb.toFixed(2)} MB, RSS ${full.rssMb.toFixed(1)} MB, external ${full.externalMb.toFixed(2)} MB, ${full.seconds.toFixed(1)} s`,
        );
        if (SNAPSHOT_DIR && r === WARMUP_ROUNDS) console.log(`heap snapshot: ${await app.heapSnapshot(join(SNAPSHOT_DIR, `soak-round-${r}.heapsnapshot`))}`);
      }
      if (SNAPSHOT_DIR && rows.length > 0)
        console.log(`heap snapshot: ${await app.heapSnapshot(join(SNAPSHOT_DIR, `soak-round-${rows.length}.heapsnapshot`))}`);
    } finally {
      await app?.stop();
      await stopHelper(gen);
      await stopHelper(fake);
    }
  });
  const warm = rows.filter((r) => r.round > WARMUP_ROUNDS);
  const heapSlope =
    slope(
      warm.map((r) => r.totalServed),
      warm.map((r) => r.heapUsedMb),
    ) * 1_000;
  const rssSlope =
    slope(
      warm.map((r) => r.totalServed),
      warm.map((r) => r.rssMb),
    ) * 1_000;
  const lines = [
    '| round | calls served | in all | heapUsed after GC MB | RSS MB | external MB |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.round} | ${r.served} | ${r.totalServed} | ${r.heapUsedMb.toFixed(2)} | ${r.rssMb.toFixed(1)} | ${r.externalMb.toFixed(2)} |`),
  ];
  const verdict =
    warm.length < 2
      ? `Not enough rounds after the ${WARMUP_ROUNDS} warm-up rounds for a slope.`
      : `Growth after warm-up (rounds ${WARMUP_ROUNDS + 1}..${rows[rows.length - 1].round}, least squares): heapUsed ${heapSlope.toFixed(2)} MB per 1,000 calls (target < 1: ${heapSlope < 1 ? 'met' : 'NOT met'}), RSS ${rssSlope.toFixed(2)} MB per 1,000 calls.`;
  console.log(
    `\nIdle after boot: heapUsed ${boot ? mb(boot.heapUsed).toFixed(2) : '—'} MB, RSS ${boot ? mb(boot.rss).toFixed(1) : '—'} MB\n\n${lines.join('\n')}\n\n${verdict}`,
  );
  writeFileSync(
    join(outDir, 'soak.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        loadavg: os.loadavg(),
        rounds: ROUNDS,
        callsPerRound: CALLS,
        callMs: CALL_MS,
        warmupRounds: WARMUP_ROUNDS,
        boot,
        rows,
        heapMbPer1000Calls: heapSlope,
        rssMbPer1000Calls: rssSlope,
      },
      null,
      2,
    ),
  );
  console.log(`Results in ${outDir}/soak.json; app log in ${logFile}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
