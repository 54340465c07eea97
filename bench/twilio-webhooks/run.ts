// Webhook benchmark (issue 3): the incoming-call webhook and call status callbacks, signed like
// Twilio signs them, against the built app on the real PostgreSQL. `npm run bench:webhooks`.
//
// - A fresh database is created on DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres)
//   and dropped afterwards; the app migrates it at boot, as in production.
// - The app runs in a child process with LOG_LEVEL=info JSON logs written to a file, as in production.
// - Every request is signed with the official `twilio` library over the public URL; each incoming call
//   has its own CallSid (bodies are pre-signed and rotated through autocannon's setupRequest).
// - Each scenario runs BENCH_SECONDS (default 6) at 1, 10 and 100 connections after a short warm-up.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import twilio from 'twilio';
import { autocannon, type AutocannonRequest } from '../support/autocannon.js';
import { startAppProcess } from '../support/app-process.js';
import { withBenchDatabase } from '../support/bench-database.js';

const PUBLIC_BASE_URL = 'https://bench.voice.example.com';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = randomBytes(16).toString('hex');
const ADMIN_API_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARMUP_SECONDS = 2;
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,10,100').split(',').map(Number);
// BENCH_SCENARIOS=status (or voice) runs one part only, e.g. while profiling.
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'baseline,voice,status').split(','));
const NUMBERS = 20;
// Tenants sharing the numbers (BENCH_TENANTS): usage rows are per tenant and day, so fewer tenants
// means more contention on each tenant's row.
const TENANTS = Number(process.env.BENCH_TENANTS ?? 2);
const CALLERS = 2_000;
const VOICE_PATH = '/api/webhooks/twilio/voice';
const STATUS_PATH = '/api/webhooks/twilio/voice/status';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const phone = (i: number) => `+1415${String(2_000_000 + i).padStart(7, '0')}`;

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

function signed(path: string, params: Record<string, string>): { body: string; signature: string } {
  return { body: form(params), signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_BASE_URL + path, params) };
}

function callParams(callSid: string, to: string, from: string): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    Called: to,
    Caller: from,
    Direction: 'inbound',
    From: from,
    To: to,
    FromCountry: 'US',
    ToCountry: 'US',
  };
}

function startServer(databaseUrl: string, logFile: string, blackhole: string) {
  return startAppProcess(logFile, {
    DATABASE_URL: databaseUrl,
    PUBLIC_BASE_URL,
    ADMIN_API_KEY,
    ENCRYPTION_KEY: hex(32),
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_VALIDATE_SIGNATURES: 'true',
    ELEVENLABS_API_KEY: 'bench-unused',
    // The media bridge pre-opens an ElevenLabs conversation for each accepted call: that is the
    // bridge's work (bench/media-bridge), not the webhook's. One slot, taken by a pre-open that
    // hangs on a silent local socket, keeps it out of the measurement.
    ELEVENLABS_API_BASE_URL: blackhole,
    MAX_CONCURRENT_CALLS: '1',
    // Other modules' periodic jobs (inbox polling, post-call reconciliation, drift checks) are
    // not part of this measurement.
    WEBHOOK_INBOX_POLL_MS: '0',
    POST_CALL_RECONCILE_INTERVAL_MS: '0',
    WEBHOOK_DRIFT_CHECK_INTERVAL_MS: '0',
    ELEVENLABS_WEBHOOK_SECRET: 'bench-unused',
    DATA_DIR: join(tmpdir(), `switchboard-bench-${process.pid}`),
  });
}

async function api(baseUrl: string, method: string, path: string, body: unknown) {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.json() as Promise<{ id: string }>;
}

/** Inserts ringing inbound calls for the status-callback runs; returns them in order. */
async function seedCalls(databaseUrl: string, numbers: string[], count: number): Promise<Array<{ callSid: string; to: string; from: string }>> {
  const calls = Array.from({ length: count }, (_, i) => ({ callSid: `CA${hex(16)}`, to: numbers[i % numbers.length], from: phone(500_000 + (i % CALLERS)) }));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO calls (tenant_id, phone_number_id, twilio_call_sid, twilio_account_sid, direction, from_number, to_number, status, routing_mode, agent_id)
       SELECT n.tenant_id, n.id, c.sid, $4, 'inbound', c.caller, c.e164, 'ringing', 'bridge', 'agent_bench'
       FROM unnest($1::text[], $2::text[], $3::text[]) AS c(sid, e164, caller) JOIN phone_numbers n ON n.e164 = c.e164`,
      [calls.map((c) => c.callSid), calls.map((c) => c.to), calls.map((c) => c.from), ACCOUNT_SID],
    );
  } finally {
    await client.end();
  }
  return calls;
}

/** Cycles through pre-signed bodies, one per request: every voice request is a new CallSid. */
function rotating(path: string, bodies: Array<{ body: string; signature: string }>): { request: AutocannonRequest; sent: () => number } {
  let next = 0;
  const request: AutocannonRequest = {
    method: 'POST',
    path,
    setupRequest: (req) => {
      const { body, signature } = bodies[next++ % bodies.length];
      return { ...req, body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature } };
    },
  };
  return { request, sent: () => next };
}

interface Row {
  scenario: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
}

async function measure(baseUrl: string, scenario: string, connections: number, request: AutocannonRequest, seconds: number): Promise<Row> {
  const result = await autocannon({ url: baseUrl, connections, duration: seconds, requests: [request], timeout: 10 });
  const row: Row = {
    scenario,
    connections,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failed: result.non2xx + result.errors + result.timeouts,
  };
  console.log(`  ${scenario} @${connections}: ${row.rps} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.failed} failed`);
  return row;
}

function printTable(rows: Row[]): void {
  console.log(
    `\nLoad average before/after: ${loadBefore} / ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs)`,
  );
  const header = '| endpoint | connections | req/s | p50 ms | p99 ms | requests | non-2xx/errors |';
  console.log(`\n${header}\n|---|---:|---:|---:|---:|---:|---:|`);
  for (const r of rows) console.log(`| ${r.scenario} | ${r.connections} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.requests} | ${r.failed} |`);
}

const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');

async function main(): Promise<void> {
  const logFile = join(tmpdir(), `switchboard-bench-webhooks-${Date.now()}.log`);
  const rows: Row[] = [];
  await withBenchDatabase('switchboard_bench', async (databaseUrl) => {
    // Accepts connections and never answers.
    const held = new Set<Socket>();
    const silent = createServer((socket) => void held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const blackhole = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const server = await startServer(databaseUrl, logFile, blackhole);
    try {
      // BENCH_TENANTS tenants (default 2) sharing 20 numbers, an agent, no quotas: the common configuration.
      const numbers: string[] = [];
      for (let t = 0; t < TENANTS; t++) {
        const tenant = await api(server.baseUrl, 'POST', '/api/tenants', {
          name: `Bench tenant ${t}`,
          settings: { agent: { agentId: 'agent_bench' }, handoffNumber: '+14155550100' },
        });
        for (let n = 0; n < Math.ceil(NUMBERS / TENANTS); n++) {
          const e164 = phone(t * 100 + n);
          await api(server.baseUrl, 'POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: e164 });
          numbers.push(e164);
        }
      }

      const voiceRun = async (label: string, connections: number, count: number, seconds: number) => {
        const calls = Array.from({ length: count }, (_, i) => ({
          callSid: `CA${hex(16)}`,
          to: numbers[i % numbers.length],
          from: phone(500_000 + (i % CALLERS)),
        }));
        const run = rotating(
          VOICE_PATH,
          calls.map((c) => signed(VOICE_PATH, { ...callParams(c.callSid, c.to, c.from), CallStatus: 'ringing' })),
        );
        const row = await measure(server.baseUrl, label, connections, run.request, seconds);
        if (run.sent() > calls.length) console.log(`  (${label} @${connections}: ran out of new CallSids, ${run.sent() - calls.length} retries)`);
        return row;
      };
      // Status callbacks go to calls seeded straight into the database (ringing, like after the
      // voice webhook), so every run has fresh calls whatever the voice throughput was.
      const seeded = await seedCalls(databaseUrl, numbers, 20_000 + 2_000 * SECONDS * CONNECTIONS.length);
      let cursor = 0;
      const statusRun = async (label: string, connections: number, seconds: number) => {
        // ringing → in-progress → completed per call, each (CallSid, status) once, so the history
        // insert, the conditional update and the usage increment all really happen.
        const bodies: Array<{ body: string; signature: string }> = [];
        for (; cursor < seeded.length && bodies.length < 3_000 * seconds; cursor++) {
          const c = seeded[cursor];
          const base = { ...callParams(c.callSid, c.to, c.from), CallbackSource: 'call-progress-events' };
          bodies.push(signed(STATUS_PATH, { ...base, CallStatus: 'ringing', SequenceNumber: '0' }));
          bodies.push(signed(STATUS_PATH, { ...base, CallStatus: 'in-progress', SequenceNumber: '1' }));
          bodies.push(
            signed(STATUS_PATH, { ...base, CallStatus: 'completed', SequenceNumber: '2', CallDuration: String(30 + (cursor % 300)), SipResponseCode: '200' }),
          );
        }
        const run = rotating(STATUS_PATH, bodies);
        const row = await measure(server.baseUrl, label, connections, run.request, seconds);
        if (run.sent() > bodies.length) console.log(`  (${label} @${connections}: ran out of fresh callbacks, ${run.sent() - bodies.length} repeats)`);
        return row;
      };

      // The floor on this machine at this moment: a route with no signature and no database.
      if (SCENARIOS.has('baseline')) {
        console.log('Baseline (GET on a webhook path: no signature, no database)…');
        const health: AutocannonRequest = { method: 'GET', path: VOICE_PATH };
        await measure(server.baseUrl, 'warm-up', 10, health, WARMUP_SECONDS);
        rows.push(await measure(server.baseUrl, 'baseline (GET /voice, no DB)', 10, health, SECONDS));
      }
      if (SCENARIOS.has('voice')) {
        console.log(`Incoming-call webhook (${SECONDS}s per run after a ${WARMUP_SECONDS}s warm-up)…`);
        await voiceRun('warm-up', 10, 4_000, WARMUP_SECONDS);
        for (const connections of CONNECTIONS) rows.push(await voiceRun('incoming call (POST /voice)', connections, 3_000 * SECONDS, SECONDS));
      }
      if (SCENARIOS.has('status')) {
        console.log(`Status callbacks (${SECONDS}s per run after a ${WARMUP_SECONDS}s warm-up)…`);
        await statusRun('warm-up', 10, WARMUP_SECONDS);
        for (const connections of CONNECTIONS) rows.push(await statusRun('status callback (POST /voice/status)', connections, SECONDS));
      }
    } finally {
      // Let requests still in flight when autocannon stopped finish before the app closes.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await server.stop();
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });
  printTable(rows);
  console.log(`\nApp log (JSON, LOG_LEVEL=info): ${logFile} (${Math.round(statSync(logFile).size / 1024)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
