import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

// Where a relay's CPU goes during the benchmark window, from Linux `perf` sampling the relay's
// process (software clock: this VM has no hardware counters). Unlike a V8 CPU profile, perf sees
// the kernel (the TCP/IP work of every read and write) and native code apart from JavaScript.
// The relay runs with --perf-basic-prof, so JIT-compiled functions have names.

export function hasPerf(): boolean {
  try {
    execFileSync('perf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts sampling `pid` into `file`; the returned function stops it and waits for the file. */
export function startPerf(pid: number, file: string): () => Promise<void> {
  const perf: ChildProcess = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-p', String(pid), '-o', file], { stdio: 'ignore' });
  return () =>
    new Promise<void>((resolve) => {
      if (perf.exitCode !== null) return resolve();
      perf.once('exit', () => resolve());
      perf.kill('SIGINT');
    });
}

const LAYERS: Array<[string, RegExp]> = [
  ['relay code', /dist\/src\/modules\/media-bridge\/|(plain|raw)-relay\.process/],
  ['ws library', /node_modules\/ws\//],
  ["Node's JavaScript (streams, net, events, timers)", /JS:\S* node:/],
  ['JSON and string conversion (V8)', /Json|StringTable|Utf8Decoder|SearchString|String::/],
  ['garbage collection', /Scavenge|MarkCompact|Heap::|Sweeper|GCTracer/],
];

export interface PerfLayer {
  layer: string;
  share: number;
}

/** Self time grouped by layer, in shares of all samples of the process. */
export function perfBreakdown(file: string): PerfLayer[] {
  const report = execFileSync('perf', ['report', '-i', file, '--sort', 'dso,sym', '--stdio', '--no-children'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const totals = new Map<string, number>();
  for (const line of report.split('\n')) {
    const m = /^\s*([\d.]+)%\s+(\S+(?: \S+ \d+)?)\s+\[[.k]\]\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, percent, dso, symbol] = m;
    const layer = dso.includes('kernel')
      ? 'kernel (TCP/IP, syscalls, scheduler)'
      : (LAYERS.find(([, re]) => re.test(symbol))?.[0] ?? 'other native (libuv, Node C++, V8 builtins, libc)');
    totals.set(layer, (totals.get(layer) ?? 0) + Number(percent) / 100);
  }
  return [...totals.entries()].map(([layer, share]) => ({ layer, share })).sort((a, b) => b.share - a.share);
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    console.log(file);
    for (const row of perfBreakdown(file)) console.log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.layer}`);
  }
}
