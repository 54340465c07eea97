// Media bridge benchmark: `npm run bench:media` (options after `--`: --n=1,50,100 --window=6000
// --only=bridge|plain|raw --raw --micro --profile --perf --pin). Four processes, loopback only:
//   fake ElevenLabs (echo agents)  ←→  relay under test  ←→  load generator (Twilio's side)
// The relay under test is the Switchboard app (real gateway, signed upgrades, real session tokens,
// production logging) and then, as the floor, a plain ws-to-ws relay. CPU is read from the relay's
// own process (process.cpuUsage over IPC) during a steady-state window after every call is up.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { signTwilioRequest } from '../../test/simulators/twilio/twilio-wire.js';
import { runFramePathBench } from './frame-path.bench.js';
import { IpcClient } from './ipc.js';
import { hasPerf, perfBreakdown, startPerf } from './perf-breakdown.js';
import { profileBreakdown } from './profile-breakdown.js';
import type { BenchCall, RunResult, RunSpec } from './load-generator.process.js';

const PUBLIC_BASE_URL = 'https://bench.switchboard.test';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = randomBytes(16).toString('hex');
const HANGUP_CALLS = 100;

type System = 'bridge' | 'plain' | 'raw';

const RELAY_PROCESS: Record<System, string> = { bridge: 'bridge.process.js', plain: 'plain-relay.process.js', raw: 'raw-relay.process.js' };

interface Options {
  ns: number[];
  windowMs: number;
  /** bridge, plain, and with --raw the experimental hand-framed relay (raw-relay.process.ts). */
  systems: System[];
  micro: boolean;
  /** Profile each relay during each steady window (dist/bench-results/profiles) and print where the CPU goes. */
  profile: boolean;
  /** Sample each relay with Linux perf during each steady window and print where its CPU goes, kernel included. */
  perf: boolean;
  /** Pin the relay under test to CPU 0 and the fake + load generator to the others (taskset). Only on an otherwise idle machine. */
  pin: boolean;
}

function parseArgs(argv: string[]): Options {
  const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const only = arg('only');
  return {
    ns: (arg('n') ?? '1,50,100,200,300,500').split(',').map(Number),
    windowMs: Number(arg('window') ?? 6_000),
    systems: only === 'bridge' || only === 'plain' || only === 'raw' ? [only] : argv.includes('--raw') ? ['bridge', 'plain', 'raw'] : ['bridge', 'plain'],
    micro: argv.includes('--micro'),
    profile: argv.includes('--profile'),
    perf: argv.includes('--perf') && hasPerf(),
    pin: argv.includes('--pin') && os.cpus().length >= 2 && hasTaskset(),
  };
}

interface Row {
  system: string;
  n: number;
  result: RunResult;
  cpuMicrosPerFrame: number;
  /** Kernel (system) share of it: the syscalls every relay makes (one read, one write per frame). */
  systemMicrosPerFrame: number;
  cpuPercent: number;
  rssPerCallKb: number;
  relayedFrames: number;
  leftOpen: number;
  /** CPU of the other benchmark processes and of the whole machine during the window, in % of one core. */
  fakeCpuPercent: number;
  generatorCpuPercent: number;
  machineCpuPercent: number;
  /** CPU used outside the benchmark just before the measurement, % of one core. */
  otherCpuBeforePercent?: number;
  /** Event-loop delay of the relay during the window, and the bridge's own frame counters. */
  loopDelayMs?: { p50: number; p99: number; max: number };
  gc?: { count: number; totalMs: number; maxMs: number };
  counters?: Record<string, number>;
}

interface HangupRow {
  system: string;
  calls: number;
  conversationsOpened: number;
  leaked: number;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts a benchmark process with an IPC channel, optionally pinned to some CPUs (`taskset -c`). */
async function spawnChild(
  file: string,
  env: Record<string, string>,
  logFile?: string,
  cpus?: string,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; ipc: IpcClient }> {
  const fd = logFile ? openSync(logFile, 'a') : 'ignore';
  const node = [process.execPath, ...nodeArgs, join(__dirname, file)];
  const [command, ...args] = cpus ? ['taskset', '-c', cpus, ...node] : node;
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd === 'ignore' ? 'inherit' : fd, 'ipc'] });
  if (typeof fd === 'number') closeSync(fd);
  const ipc = new IpcClient(child);
  await new Promise<void>((resolve, reject) => {
    ipc.onEvent = (e) => e.event === 'ready' && resolve();
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}${logFile ? ` (see ${logFile})` : ''}`)));
  });
  return { child, ipc };
}

async function stopChild(c: { child: ChildProcess; ipc: IpcClient }): Promise<void> {
  const exited = new Promise((r) => c.child.once('exit', r));
  await c.ipc.request('stop', {}, 15_000).catch(() => c.child.kill('SIGKILL'));
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  if (c.child.exitCode === null) c.child.kill('SIGKILL');
}

interface FakeStats {
  open: number;
  total: number;
  received: number;
  sent: number;
  cpuMicros: number;
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}
interface Usage {
  cpuMicros: number;
  systemMicros: number;
  rss: number;
  loopDelay?: { p50: number; p99: number; max: number };
  gc?: { count: number; totalMs: number; maxMs: number };
  counters?: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The machine may be shared: before each measurement, wait (bounded) until what runs outside the
 * benchmark uses less than `maxOtherPercent` of the machine, and report what it was.
 */
async function waitForQuiet(maxOtherPercent = 40, maxWaitMs = 60_000): Promise<number> {
  const started = Date.now();
  let busy: number;
  do {
    const a = machineCpu();
    await sleep(1_000);
    const b = machineCpu();
    busy = ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length * 100;
    if (busy <= maxOtherPercent) break;
  } while (Date.now() - started < maxWaitMs);
  return busy;
}

interface WindowProfiles {
  /** V8 CPU profile of the relay (--profile). */
  v8File?: string;
  /** Linux perf samples of the relay's process (--perf). */
  perf?: { pid: number; file: string };
}

async function measure(
  system: string,
  relay: IpcClient,
  fake: IpcClient,
  gen: IpcClient,
  port: number,
  calls: BenchCall[],
  windowMs: number,
  profiles: WindowProfiles,
): Promise<Row> {
  const n = calls.length;
  await sleep(300);
  const baseline = await relay.request<Usage>('usage');
  const samples: Record<string, { relay: Usage; fake: FakeStats; received: number; generatorCpu: number; machine: { busy: number; total: number } }> = {};
  const pendingSamples: Array<Promise<void>> = [];
  let stopPerf: (() => Promise<void>) | undefined;
  gen.onEvent = (e) => {
    if (e.event !== 'window') return;
    const phase = String(e.phase);
    pendingSamples.push(
      Promise.all([relay.request<Usage>('usage'), fake.request<FakeStats>('stats')]).then(async ([r, f]) => {
        samples[phase] = { relay: r, fake: f, received: Number(e.received), generatorCpu: Number(e.cpuMicros), machine: machineCpu() };
        if (profiles.v8File) await relay.request(phase === 'start' ? 'profile-start' : 'profile-stop', { file: profiles.v8File });
        if (profiles.perf && phase === 'start') stopPerf = startPerf(profiles.perf.pid, profiles.perf.file);
        if (phase === 'end') await stopPerf?.();
      }),
    );
  };
  const spec: RunSpec = {
    mode: 'steady',
    url: `ws://127.0.0.1:${port}/media-stream`,
    signature: signTwilioRequest(AUTH_TOKEN, `${PUBLIC_BASE_URL.replace(/^http/, 'ws')}/media-stream`, {}),
    accountSid: ACCOUNT_SID,
    calls,
    rampMs: Math.max(300, n * 5),
    warmupMs: 1_000,
    windowMs,
    drainMs: 1_000,
  };
  const result = await gen.request<RunResult>('run', { spec }, 120_000);
  await Promise.all(pendingSamples);
  // Every call has hung up: no conversation may stay open on the fake.
  let open = (await fake.request<FakeStats>('stats')).open;
  for (let i = 0; i < 40 && open > 0; i++) {
    await sleep(100);
    open = (await fake.request<FakeStats>('stats')).open;
  }
  const s = samples.start;
  const e = samples.end;
  const relayed = e.fake.received - s.fake.received + (e.received - s.received);
  const cpu = e.relay.cpuMicros - s.relay.cpuMicros;
  return {
    system,
    n,
    result,
    relayedFrames: relayed,
    cpuMicrosPerFrame: relayed > 0 ? cpu / relayed : NaN,
    systemMicrosPerFrame: relayed > 0 ? (e.relay.systemMicros - s.relay.systemMicros) / relayed : NaN,
    cpuPercent: (cpu / (windowMs * 1000)) * 100,
    rssPerCallKb: (e.relay.rss - baseline.rss) / n / 1024,
    leftOpen: open,
    fakeCpuPercent: ((e.fake.cpuMicros - s.fake.cpuMicros) / (windowMs * 1000)) * 100,
    generatorCpuPercent: ((e.generatorCpu - s.generatorCpu) / (windowMs * 1000)) * 100,
    machineCpuPercent: ((e.machine.busy - s.machine.busy) / (e.machine.total - s.machine.total)) * os.cpus().length * 100,
    loopDelayMs: e.relay.loopDelay,
    gc: e.relay.gc,
    counters: e.relay.counters,
  };
}

async function hangupTest(system: string, relay: IpcClient, fake: IpcClient, gen: IpcClient, port: number, calls: BenchCall[]): Promise<HangupRow> {
  // A slow signed URL widens the window in which a caller hangs up while the upstream is still being set up.
  await fake.request('faults', { faults: { signedUrlDelayMs: 150 } });
  const before = await fake.request<FakeStats>('stats');
  gen.onEvent = () => undefined;
  // Counted as a difference: another relay's leftovers must not be charged to this one.
  await gen.request<RunResult>(
    'run',
    {
      spec: {
        mode: 'hangup',
        url: `ws://127.0.0.1:${port}/media-stream`,
        signature: signTwilioRequest(AUTH_TOKEN, `${PUBLIC_BASE_URL.replace(/^http/, 'ws')}/media-stream`, {}),
        accountSid: ACCOUNT_SID,
        calls,
        rampMs: 500,
        warmupMs: 0,
        windowMs: 1_000,
        drainMs: 200,
        hangupWithinMs: 400,
      } satisfies RunSpec,
    },
    60_000,
  );
  await sleep(3_000); // longer than any setup: whatever is still open now has leaked
  const after = await fake.request<FakeStats>('stats');
  await fake.request('faults', { faults: {} });
  return { system, calls: calls.length, conversationsOpened: after.total - before.total, leaked: Math.max(0, after.open - before.open) };
}

async function createDatabase(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  // PostgreSQL as in production (DATABASE_URL, else the local server). Embedded PGlite is only the
  // fallback: it runs inside the bridge's process, so its CPU and pauses would be counted as the
  // bridge's (at 300 calls it doubled the setup time and tripled the p99).
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: base });
  try {
    await admin.connect();
  } catch (err) {
    if (process.env.DATABASE_URL) throw err;
    console.warn(`No PostgreSQL at ${base} (${(err as Error).message}): using embedded PGlite, inside the bridge's process`);
    const dir = mkdtempSync(join(os.tmpdir(), 'switchboard-bench-'));
    return { env: { DATA_DIR: dir }, drop: () => new Promise<void>((resolve) => resolve(rmSync(dir, { recursive: true, force: true }))) };
  }
  const name = `switchboard_bench_${process.pid}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

const f = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '—');

function printTables(rows: Row[], hangups: HangupRow[]): string {
  const lines: string[] = [];
  lines.push(
    '| relay | calls | connected | p50 ms | p95 ms | p99 ms | max ms | frames sent | lost | setup lost | setup p50/p95 ms | CPU µs/frame (kernel) | CPU % | RSS KiB/call | machine CPU % |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const x = r.result;
    lines.push(
      `| ${r.system} | ${r.n} | ${x.connected - x.refused} | ${f(x.rttMs.p50, 2)} | ${f(x.rttMs.p95, 2)} | ${f(x.rttMs.p99, 2)} | ${f(x.rttMs.max, 1)} | ${x.sent} | ${x.lost} | ${x.setupFramesLost} | ${f(x.setupMs.p50, 0)}/${f(x.setupMs.p95, 0)} | ${f(r.cpuMicrosPerFrame, 1)} (${f(r.systemMicrosPerFrame, 1)}) | ${f(r.cpuPercent, 0)} | ${f(r.rssPerCallKb, 0)} | ${f(r.machineCpuPercent, 0)} |`,
    );
  }
  lines.push('');
  lines.push(`| relay | callers hanging up during setup | conversations opened | left open (leaked) |`);
  lines.push('|---|---:|---:|---:|');
  for (const h of hangups) lines.push(`| ${h.system} | ${h.calls} | ${h.conversationsOpened} | ${h.leaked} |`);
  const text = lines.join('\n');
  console.log(`\n${text}\n`);
  return text;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  console.log(
    `Media bridge benchmark — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (opts.micro) {
    runFramePathBench();
    console.log('');
  }
  const outDir = join(process.cwd(), 'dist', 'bench-results');
  mkdirSync(join(outDir, 'profiles'), { recursive: true });
  const logFile = join(outDir, 'media-bridge-app.log');
  writeFileSync(logFile, '');
  const db = await createDatabase();
  const harnessCpus = opts.pin ? `1-${os.cpus().length - 1}` : undefined;
  const relayCpus = opts.pin ? '0' : undefined;
  if (opts.pin) console.log(`Relay under test pinned to CPU 0; fake ElevenLabs and load generator to CPU ${harnessCpus}`);
  const fake = await spawnChild('fake-elevenlabs.process.js', {}, undefined, harnessCpus);
  const gen = await spawnChild('load-generator.process.js', {}, undefined, harnessCpus);
  const { baseUrl } = await fake.ipc.request<{ baseUrl: string }>('info');
  const rows: Row[] = [];
  const hangups: HangupRow[] = [];
  const relays: Array<{ system: System; proc: { child: ChildProcess; ipc: IpcClient }; port: number }> = [];
  try {
    // Both relays stay up for the whole run and take turns at each N, so a change in the machine's
    // load (it is shared) hits both alike.
    for (const system of opts.systems) {
      const env: Record<string, string> =
        system === 'bridge'
          ? {
              ...db.env,
              NODE_ENV: 'production',
              LOG_LEVEL: 'info',
              LOG_PRETTY: 'false',
              HOST: '127.0.0.1',
              PUBLIC_BASE_URL,
              // The streams are signed over a public URL no provider calls (loopback only).
              ALLOW_UNSAFE_PUBLIC_URL: 'true',
              ADMIN_API_KEY: randomBytes(24).toString('hex'),
              ENCRYPTION_KEY: randomBytes(32).toString('hex'),
              TWILIO_ACCOUNT_SID: ACCOUNT_SID,
              TWILIO_AUTH_TOKEN: AUTH_TOKEN,
              ELEVENLABS_API_BASE_URL: baseUrl,
              ELEVENLABS_API_KEY: 'bench-key',
              MAX_CONCURRENT_CALLS: '5000',
              DB_POOL_SIZE: '10',
            }
          : { ELEVENLABS_API_BASE_URL: baseUrl };
      // BENCH_RELAY_NODE_ARGS: extra Node flags for the relays (e.g. --trace-gc, --max-semi-space-size=32).
      const nodeArgs = [...(opts.perf ? ['--perf-basic-prof'] : []), ...(process.env.BENCH_RELAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
      const proc = await spawnChild(RELAY_PROCESS[system], env, system === 'bridge' ? logFile : undefined, relayCpus, nodeArgs);
      const { port } = await proc.ipc.request<{ port: number }>('info');
      relays.push({ system, proc, port });
    }
    const callsFor = async (relay: (typeof relays)[number], n: number): Promise<BenchCall[]> =>
      relay.system === 'bridge'
        ? relay.proc.ipc.request<BenchCall[]>('prepare', { n })
        : Array.from({ length: n }, () => ({ callSid: 'CA' + randomBytes(16).toString('hex') }));
    for (const n of opts.ns) {
      for (const relay of relays) {
        const others = await waitForQuiet();
        if (others > 40) console.log(`(the machine stayed busy: ${others.toFixed(0)}% of ${os.cpus().length * 100}% used outside the benchmark)`);
        const profiles: WindowProfiles = {
          v8File: opts.profile ? join(outDir, 'profiles', `${relay.system}-${n}.cpuprofile`) : undefined,
          perf: opts.perf ? { pid: relay.proc.child.pid!, file: join(outDir, 'profiles', `${relay.system}-${n}.perf.data`) } : undefined,
        };
        const row = await measure(relay.system, relay.proc.ipc, fake.ipc, gen.ipc, relay.port, await callsFor(relay, n), opts.windowMs, profiles);
        row.otherCpuBeforePercent = others;
        rows.push(row);
        const x = row.result;
        console.log(
          `${relay.system.padEnd(6)} n=${String(n).padEnd(3)} p50 ${f(x.rttMs.p50, 2)} ms, p99 ${f(x.rttMs.p99, 2)} ms, lost ${x.lost} (setup ${x.setupFramesLost}), ${f(row.cpuMicrosPerFrame)} µs CPU/frame (${f(row.systemMicrosPerFrame)} kernel), ${f(row.cpuPercent, 0)}% CPU, refused ${x.refused}, left open ${row.leftOpen}, loop delay p99 ${f(row.loopDelayMs?.p99 ?? NaN, 1)} ms; CPU fake ${f(row.fakeCpuPercent, 0)}%, generator ${f(row.generatorCpuPercent, 0)}%, machine ${f(row.machineCpuPercent, 0)}% of ${os.cpus().length * 100}% (others before: ${f(others, 0)}%)`,
        );
      }
    }
    for (const relay of relays) {
      const h = await hangupTest(relay.system, relay.proc.ipc, fake.ipc, gen.ipc, relay.port, await callsFor(relay, HANGUP_CALLS));
      hangups.push(h);
      console.log(`${relay.system}: ${h.calls} callers hung up during setup → ${h.conversationsOpened} conversations opened, ${h.leaked} left open`);
    }
  } finally {
    for (const relay of relays) await stopChild(relay.proc);
    await stopChild(gen);
    await stopChild(fake);
    await db.drop().catch(() => undefined);
  }
  const table = printTables(rows, hangups);
  if (opts.profile) {
    const files = rows.map((r) => ({ r, file: join(outDir, 'profiles', `${r.system}-${r.n}.cpuprofile`) }));
    console.log('Where the relay CPU goes in the steady window (V8 profile, self time):');
    for (const { r, file } of files) {
      console.log(
        `  ${r.system} n=${r.n}: ${profileBreakdown(file)
          .map((l) => `${l.layer} ${(l.share * 100).toFixed(0)}%`)
          .join(', ')}`,
      );
    }
  }
  if (opts.perf) {
    console.log('Where the relay CPU goes in the steady window (Linux perf, self time, kernel included):');
    for (const r of rows) {
      const layers = perfBreakdown(join(outDir, 'profiles', `${r.system}-${r.n}.perf.data`));
      console.log(`  ${r.system} n=${r.n}: ${layers.map((l) => `${l.layer} ${(l.share * 100).toFixed(1)}%`).join(', ')}`);
    }
  }
  writeFileSync(join(outDir, 'media-bridge.json'), JSON.stringify({ at: new Date().toISOString(), loadavg: os.loadavg(), rows, hangups }, null, 2));
  writeFileSync(join(outDir, 'media-bridge.md'), table + '\n');
  console.log(`Results in ${outDir}/media-bridge.{json,md}; app log in ${logFile}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
