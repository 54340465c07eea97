// Conversation-initiation webhook benchmark (issue 5): ElevenLabs asks for a caller's context while
// the phone rings, so this is on the call-setup path. `npm run bench:initiation`.
//
// - A fresh database is created on DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres)
//   and dropped afterwards; the built app migrates it at boot, as in production.
// - The app runs in a child process with NODE_ENV=production and LOG_LEVEL=info JSON logs to a file.
// - One tenant with a number and agent overrides; BENCH_CALLERS (default 3,000) returning callers,
//   each a lead with 50 past messages across voice and SMS.
// - Requests come at a fixed BENCH_RATE (default 100/s) for BENCH_SECONDS (default 10) after a
//   warm-up; each is a different caller with a new CallSid, authenticated by the shared-secret
//   header, so every request does the full work (tenant lookup, rate-limit log, lead, call row,
//   context from the last messages). Two load shapes:
//   * autocannon `overallRate` with 10 connections. Note how autocannon paces: each connection sends
//     back to back until it has made its share of the second, then waits for the next second, so
//     this is a burst of 10 concurrent requests at the top of every second (the worst case);
//   * an open-loop generator that sends one request every 1000/rate ms whatever the answers, and
//     times each from its scheduled send (no coordinated omission): calls arriving independently.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { autocannon, type AutocannonRequest } from '../support/autocannon.js';
import { startAppProcess } from '../support/app-process.js';
import { withBenchDatabase } from '../support/bench-database.js';

const ADMIN_API_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;
const INITIATION_SECRET = `bench-init-${randomBytes(16).toString('hex')}`;
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 3;
const CALLERS = Number(process.env.BENCH_CALLERS ?? 3_000);
const MESSAGES_PER_LEAD = 50;
const NUMBER = '+14155550123';
const PATH = '/api/webhooks/elevenlabs/conversation-initiation';
const caller = (i: number) => `+1415${String(3_000_000 + i).padStart(7, '0')}`;

function startServer(databaseUrl: string, logFile: string) {
  return startAppProcess(logFile, {
    DATABASE_URL: databaseUrl,
    PUBLIC_BASE_URL: 'https://bench.voice.example.com',
    ADMIN_API_KEY,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ELEVENLABS_API_KEY: 'bench-unused',
    ELEVENLABS_WEBHOOK_SECRET: 'bench-unused',
    ELEVENLABS_CONVERSATION_INITIATION_WEBHOOK_SECRET: INITIATION_SECRET,
    // Periodic jobs are not part of this measurement.
    WEBHOOK_INBOX_POLL_MS: '0',
    POST_CALL_RECONCILE_INTERVAL_MS: '0',
    DATA_DIR: join(tmpdir(), `switchboard-bench-init-${process.pid}`),
  });
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

/** CALLERS leads with MESSAGES_PER_LEAD timeline entries each, straight into the database. */
async function seedLeads(databaseUrl: string, tenantId: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO leads (tenant_id, phone_e164, name, summary, interaction_count, score, status, last_contact_at)
       SELECT $1, '+1415' || lpad((3000000 + i)::text, 7, '0'), 'Caller ' || i,
              'Asked about a boiler service and wants a quote for a new combi boiler.', 6, 55, 'contacted', now() - interval '1 day'
       FROM generate_series(0, $2 - 1) AS i`,
      [tenantId, CALLERS],
    );
    await client.query(
      `INSERT INTO lead_messages (tenant_id, lead_id, channel, direction, role, body, external_id, metadata, occurred_at)
       SELECT l.tenant_id, l.id, CASE WHEN m % 3 = 0 THEN 'sms' ELSE 'voice' END,
              CASE WHEN m % 2 = 0 THEN 'inbound' ELSE 'outbound' END, CASE WHEN m % 2 = 0 THEN 'user' ELSE 'agent' END,
              'Message ' || m || ': about the boiler service, the price of a call-out and a time next week that suits me.',
              'bench:' || l.id || ':' || m, '{"source":"post_call"}', now() - make_interval(mins => 10000 - m)
       FROM leads l CROSS JOIN generate_series(1, $2) AS m WHERE l.tenant_id = $1`,
      [tenantId, MESSAGES_PER_LEAD],
    );
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/** Every request a different returning caller and a new CallSid. */
function rotatingRequests(): { request: AutocannonRequest; sent: () => number } {
  let next = 0;
  const request: AutocannonRequest = {
    method: 'POST',
    path: PATH,
    setupRequest: (req) => {
      const i = next++;
      const body = JSON.stringify({
        caller_id: caller(i % CALLERS),
        agent_id: 'agent_bench',
        called_number: NUMBER,
        call_sid: `CA${randomBytes(16).toString('hex')}`,
      });
      return { ...req, body, headers: { 'content-type': 'application/json', 'x-switchboard-webhook-secret': INITIATION_SECRET } };
    },
  };
  return { request, sent: () => next };
}

/** One request at a time: the service time without queueing (and the floor, a health check). */
async function sequential(baseUrl: string, count: number): Promise<void> {
  const percentiles = (xs: number[]) => {
    xs.sort((a, b) => a - b);
    return `p50 ${xs[Math.floor(xs.length * 0.5)].toFixed(2)} ms, p99 ${xs[Math.floor(xs.length * 0.99)].toFixed(2)} ms`;
  };
  const health: number[] = [];
  const initiation: number[] = [];
  for (let i = 0; i < count; i++) {
    let t0 = performance.now();
    await (await fetch(`${baseUrl}/api/health`)).arrayBuffer();
    health.push(performance.now() - t0);
    t0 = performance.now();
    const res = await fetch(baseUrl + PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchboard-webhook-secret': INITIATION_SECRET },
      body: JSON.stringify({
        caller_id: caller((CALLERS - 1 - i + CALLERS) % CALLERS),
        agent_id: 'agent_bench',
        called_number: NUMBER,
        call_sid: `CA${randomBytes(16).toString('hex')}`,
      }),
    });
    await res.arrayBuffer();
    initiation.push(performance.now() - t0);
  }
  console.log(`Sequential (${count} each): health ${percentiles(health)}; initiation ${percentiles(initiation)}`);
}

/** One request every 1000/rate ms on a keep-alive pool, timed from when it was due. */
interface PacedResult {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  failed: number;
}

async function paced(baseUrl: string, seconds: number): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(PATH, baseUrl);
  const latencies: number[] = [];
  let failed = 0;
  const send = (due: number, body: string) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-switchboard-webhook-secret': INITIATION_SECRET },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) failed++;
            latencies.push(performance.now() - due);
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(body);
    });
  const total = RATE * seconds;
  const start = performance.now() + 50;
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = JSON.stringify({
      caller_id: caller((i * 7) % CALLERS),
      agent_id: 'agent_bench',
      called_number: NUMBER,
      call_sid: `CA${randomBytes(16).toString('hex')}`,
    });
    inFlight.push(send(due, body));
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))].toFixed(1));
  const result = { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), requests: latencies.length, failed };
  console.log(
    `open loop @ ${RATE} req/s for ${seconds}s: p50 ${result.p50} ms, p90 ${result.p90} ms, p99 ${result.p99} ms, max ${result.max} ms, ${result.requests} requests, ${failed} failed`,
  );
  return result;
}

async function measure(baseUrl: string, label: string, seconds: number, request: AutocannonRequest = rotatingRequests().request) {
  const result = await autocannon({ url: baseUrl, connections: 10, overallRate: RATE, duration: seconds, requests: [request], timeout: 10 });
  const failed = result.non2xx + result.errors + result.timeouts;
  console.log(
    `${label}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, ` +
      `p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ${result.requests.total} requests, ${failed} failed`,
  );
  return { result, failed };
}

async function main(): Promise<void> {
  const logFile = join(tmpdir(), `switchboard-bench-initiation-${Date.now()}.log`);
  await withBenchDatabase('switchboard_bench_init', async (databaseUrl) => {
    const server = await startServer(databaseUrl, logFile);
    try {
      const tenant = await api(server.baseUrl, 'POST', '/api/tenants', {
        name: 'Dave Plumbing',
        timezone: 'Europe/London',
        settings: {
          agent: {
            agentId: 'agent_bench',
            firstMessage: 'Hi {{customer_name}}, Dave Plumbing here.',
            prompt: 'You are the receptionist.',
            language: 'en',
            voiceId: 'voice_bench',
          },
        },
      });
      await api(server.baseUrl, 'POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: NUMBER });
      console.log(`Seeding ${CALLERS} leads with ${MESSAGES_PER_LEAD} messages each…`);
      await seedLeads(databaseUrl, tenant.id);

      // One real answer, to show what is being measured.
      const sample = await fetch(server.baseUrl + PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-switchboard-webhook-secret': INITIATION_SECRET },
        body: JSON.stringify({
          caller_id: caller(CALLERS - 1),
          agent_id: 'agent_bench',
          called_number: NUMBER,
          call_sid: `CA${randomBytes(16).toString('hex')}`,
        }),
      });
      const answer = (await sample.json()) as { dynamic_variables: Record<string, unknown> };
      console.log(
        `Sample answer: ${sample.status}, customer_name=${String(answer.dynamic_variables.customer_name)}, total_messages=${String(answer.dynamic_variables.total_messages)}, ` +
          `context ${String(answer.dynamic_variables.conversation_context).length} chars`,
      );

      await sequential(server.baseUrl, 300);
      // The floor on this machine at this moment: the same load on a route with no database work.
      await measure(server.baseUrl, `baseline GET /api/health @ ${RATE} req/s`, WARMUP_SECONDS, { method: 'GET', path: '/api/health' });
      await measure(server.baseUrl, `warm-up (${WARMUP_SECONDS}s)`, WARMUP_SECONDS);
      const cpuBefore = await server.cpuMs();
      const { result, failed } = await measure(server.baseUrl, `autocannon overallRate ${RATE}/s, 10 connections, ${SECONDS}s`, SECONDS);
      const cpuPerRequest = (await server.cpuMs()) - cpuBefore;
      console.log(`App CPU: ${(cpuPerRequest / result.requests.total).toFixed(2)} ms per request (${Math.round(cpuPerRequest / SECONDS / 10)} % of one core)`);
      const p = await paced(server.baseUrl, SECONDS);
      console.log(`\n| load | requests | p50 ms | p90 ms | p99 ms | max ms | failed |\n|---|---:|---:|---:|---:|---:|---:|`);
      console.log(
        `| autocannon overallRate ${RATE}/s, 10 conn. | ${result.requests.total} | ${result.latency.p50} | ${result.latency.p90} | ${result.latency.p99} | ${result.latency.max} | ${failed} |`,
      );
      console.log(`| open loop, one every ${1000 / RATE} ms | ${p.requests} | ${p.p50} | ${p.p90} | ${p.p99} | ${p.max} | ${p.failed} |`);
      console.log(`Target p99 <= 15 ms: autocannon ${result.latency.p99 <= 15 ? 'met' : 'NOT met'}, open loop ${p.p99 <= 15 ? 'met' : 'NOT met'}`);
    } finally {
      await server.stop();
    }
  });
  console.log(`App log (JSON, LOG_LEVEL=info): ${logFile} (${Math.round(statSync(logFile).size / 1024)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
