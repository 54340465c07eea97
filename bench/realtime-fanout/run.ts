import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createApp } from '../../src/app.setup.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { EVENT_BUS, type EventBus } from '../../src/modules/realtime/event-bus.port.js';

// SSE fan-out across instances: INSTANCES app processes on one fresh PostgreSQL database (the
// default LISTEN/NOTIFY transport, or Redis with BENCH_REDIS_URL), SUBSCRIBERS SSE clients spread
// over them and over TENANTS tenants, and a producer (a third, HTTP-less app instance in this
// process) publishing RATE events/s for DURATION_S seconds through the real EventBus. Each event
// carries its publish time; every client records publish-to-parse latency. Loopback only.
// Usage: npm run bench:fanout   (env: DATABASE_URL = the server to use, SUBSCRIBERS, TENANTS, RATE, DURATION_S)

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1_000);
const TENANTS = Number(process.env.TENANTS ?? 50);
const RATE = Number(process.env.RATE ?? 200);
const DURATION_S = Number(process.env.DURATION_S ?? 10);
const INSTANCES = Number(process.env.INSTANCES ?? 2);
const REDIS_URL = process.env.BENCH_REDIS_URL;
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ADMIN_API_KEY = 'bench-admin-key-0123456789abcdef';
const ENCRYPTION_KEY = 'ab'.repeat(32);

interface Instance {
  child: ChildProcess;
  port: number;
  base: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

async function heapUsedBytes(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text);
  return match ? Number(match[1]) : NaN;
}

async function waitReady(base: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/api/health/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${base} was not ready in time`);
}

async function api(base: string, path: string, body: unknown): Promise<Record<string, string>> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

/** A minimal SSE client: resolves once the stream is open; calls onData for each data line. */
function subscribe(base: string, apiKey: string, onData: (json: string) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${base}/api/stream/events`, { agent: false, headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' } });
    request.on('error', reject);
    request.on('response', (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.once('data', () => resolve(request));
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const at = frame.indexOf('\ndata: ');
          if (at >= 0) onData(frame.slice(at + 7));
        }
      });
      res.on('error', () => undefined);
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

async function main(): Promise<void> {
  const dbName = `switchboard_bench_fanout_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: url.toString(),
    ADMIN_API_KEY,
    ENCRYPTION_KEY,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    PUBLIC_BASE_URL: 'https://bench.example.test',
    ALLOW_UNSAFE_PUBLIC_URL: 'true', // a reserved domain on purpose: loopback only, no provider calls it
    REALTIME_PRUNE_INTERVAL_MS: '0',
    ...(REDIS_URL ? { REDIS_URL, REALTIME_CHANNEL: `bench_${process.pid}` } : {}),
  };
  const instances: Instance[] = [];
  const clients: http.ClientRequest[] = [];
  let producer: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    for (let i = 0; i < INSTANCES; i++) {
      const port = await freePort();
      const child = spawn(process.execPath, [join(__dirname, '../../src/main.js')], {
        env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      instances.push({ child, port, base: `http://127.0.0.1:${port}` });
    }
    await Promise.all(instances.map((i) => waitReady(i.base, Date.now() + 60_000)));

    const tenants: Array<{ id: string; key: string }> = [];
    for (let i = 0; i < TENANTS; i++) {
      const tenant = await api(instances[0].base, '/api/tenants', { name: `Bench ${i}`, slug: `bench-${i}` });
      const key = await api(instances[0].base, `/api/tenants/${tenant.id}/api-keys`, { name: 'bench' });
      tenants.push({ id: tenant.id, key: key.key });
    }

    // The producer: the same application, without HTTP, publishing through the real EventBus.
    producer = await createApp(loadAppConfig({ ...env, DB_SKIP_MIGRATIONS: 'true', LOG_LEVEL: 'error' }), { quiet: true });
    await producer.init();
    const bus = producer.get<EventBus>(EVENT_BUS);

    // Warm-up (code paths compiled, pools filled) so the baseline is not mostly first-use cost.
    const warmTenants = tenants.slice(0, 5);
    const warm = await Promise.all(instances.flatMap((inst) => warmTenants.map((t) => subscribe(inst.base, t.key, () => undefined))));
    for (let i = 0; i < 50; i++) await bus.publish({ tenantId: warmTenants[i % warmTenants.length].id, type: 'alert', data: { warmup: i } });
    await sleep(500);
    warm.forEach((r) => r.destroy());
    await sleep(1_500);
    const baseline = await Promise.all(instances.map(async (i) => ({ rss: rssBytes(i.child.pid!), heap: await heapUsedBytes(i.base) })));

    const totalEvents = RATE * DURATION_S;
    const latencies = new Float64Array(Math.ceil(SUBSCRIBERS / TENANTS + 1) * totalEvents);
    let received = 0;
    let duplicates = 0;
    let foreign = 0;
    const perInstance = instances.map(() => 0);
    const started = Date.now();
    for (let batch = 0; batch < SUBSCRIBERS; batch += 100) {
      const opening: Array<Promise<http.ClientRequest>> = [];
      for (let i = batch; i < Math.min(SUBSCRIBERS, batch + 100); i++) {
        const instance = i % INSTANCES;
        const tenant = tenants[Math.floor(i / INSTANCES) % TENANTS];
        const seen = new Uint8Array(totalEvents);
        perInstance[instance]++;
        opening.push(
          subscribe(instances[instance].base, tenant.key, (json) => {
            const now = performance.now();
            const event = JSON.parse(json) as { tenantId: string; data: { seq?: number; sentAt?: number } };
            const { seq, sentAt } = event.data;
            if (seq === undefined || sentAt === undefined) return;
            if (event.tenantId !== tenant.id) foreign++;
            if (seen[seq]) duplicates++;
            seen[seq] = 1;
            if (received < latencies.length) latencies[received] = now - sentAt;
            received++;
          }),
        );
      }
      clients.push(...(await Promise.all(opening)));
    }
    const connectMs = Date.now() - started;
    await sleep(2_000);
    const connected = await Promise.all(instances.map(async (i) => ({ rss: rssBytes(i.child.pid!), heap: await heapUsedBytes(i.base) })));

    // Publish RATE events/s, each stamped with its publish time, spread over 5 ms ticks.
    const subscribersOfTenant = new Array<number>(TENANTS).fill(0);
    for (let i = 0; i < SUBSCRIBERS; i++) subscribersOfTenant[Math.floor(i / INSTANCES) % TENANTS]++;
    let expected = 0;
    let published = 0;
    const inflight = new Set<Promise<void>>();
    const publishStart = performance.now();
    while (published < totalEvents) {
      const due = Math.min(totalEvents, Math.floor(((performance.now() - publishStart) / 1000) * RATE) + 1);
      while (published < due) {
        const seq = published++;
        const tenant = seq % TENANTS;
        expected += subscribersOfTenant[tenant];
        const p = bus.publish({ tenantId: tenants[tenant].id, type: 'alert', data: { seq, sentAt: performance.now() } });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      await sleep(5);
    }
    await Promise.all(inflight);
    const publishSeconds = (performance.now() - publishStart) / 1000;
    const deadline = Date.now() + 10_000;
    while (received < expected && Date.now() < deadline) await sleep(50);
    const afterEvents = await Promise.all(instances.map(async (i) => ({ rss: rssBytes(i.child.pid!), heap: await heapUsedBytes(i.base) })));

    const sorted = latencies.slice(0, Math.min(received, latencies.length)).sort();
    const transport = REDIS_URL ? 'Redis pub/sub' : 'PostgreSQL LISTEN/NOTIFY';
    console.log(
      `\nSSE fan-out: ${SUBSCRIBERS} subscribers on ${INSTANCES} instances, ${TENANTS} tenant(s) (${SUBSCRIBERS / TENANTS} subscribers each), transport ${transport}`,
    );
    console.log(
      `published ${published} events in ${publishSeconds.toFixed(1)} s (${(published / publishSeconds).toFixed(0)}/s); subscribers connected in ${connectMs} ms`,
    );
    console.log(
      `deliveries expected ${expected}, received ${received}, missing ${expected - received + duplicates}, duplicates ${duplicates}, other tenants' ${foreign}`,
    );
    console.log('');
    console.log('| latency (publish -> parsed by client) | p50 | p90 | p99 | max |');
    console.log('|---|---|---|---|---|');
    console.log(`| ms | ${[50, 90, 99, 100].map((p) => percentile(sorted, p).toFixed(1)).join(' | ')} |`);
    console.log('');
    console.log('| instance | subscribers | RSS idle MB | RSS connected MB | RSS after events MB | RSS per subscriber KB | heap per subscriber KB |');
    console.log('|---|---|---|---|---|---|---|');
    instances.forEach((inst, i) => {
      const n = perInstance[i];
      const perSub = (afterEvents[i].rss - baseline[i].rss) / n;
      const heapPerSub = (connected[i].heap - baseline[i].heap) / n;
      console.log(
        `| ${String.fromCharCode(65 + i)} | ${n} | ${mb(baseline[i].rss)} | ${mb(connected[i].rss)} | ${mb(afterEvents[i].rss)} | ${kb(perSub)} | ${kb(heapPerSub)} |`,
      );
    });
    if (received < expected || duplicates > 0 || foreign > 0) process.exitCode = 1;
  } finally {
    clients.forEach((c) => c.destroy());
    await producer?.close().catch(() => undefined);
    for (const { child } of instances) child.kill('SIGTERM');
    const exited = Promise.all(instances.map(({ child }) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))));
    await Promise.race([exited, sleep(15_000)]);
    for (const { child } of instances) if (child.exitCode === null) child.kill('SIGKILL');
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
