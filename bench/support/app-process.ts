import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface AppProcess {
  baseUrl: string;
  pid: number;
  /** The app process's CPU time so far, in ms. */
  cpuMs(): Promise<number>;
  /**
   * `process.memoryUsage()` of the app process, after forced full collections when it was started
   * with `--expose-gc` (`collected` tells whether they ran).
   */
  memory(): Promise<{ memory: NodeJS.MemoryUsage; collected: boolean }>;
  /** Writes a V8 heap snapshot of the app process (after a forced GC) to `file`. */
  heapSnapshot(file: string): Promise<string>;
  stop(): Promise<void>;
}

export interface AppProcessOptions {
  /** Node flags for the app process (e.g. --expose-gc). */
  nodeArgs?: string[];
}

/** Sends `message` to the child and resolves with the first reply that `pick` recognises. */
function ask<T>(child: ChildProcess, message: string | Record<string, string>, pick: (m: unknown) => T | undefined, timeoutMs = 120_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`bench server did not answer ${JSON.stringify(message)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: unknown) => {
      const value = pick(m);
      if (value === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(value);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

/**
 * Starts the built app in a child process (app-server.ts) with production settings: JSON logs at
 * `info` to `logFile`, NODE_ENV=production, plus `env`. BENCH_CPU_PROF=<dir> writes a V8 CPU profile.
 * The benchmarks sign requests over a public URL no provider ever calls (a reserved domain, on
 * loopback), so the one production refusal that cannot hold here is lifted the way a staging box
 * lifts it (ALLOW_UNSAFE_PUBLIC_URL, logged as a warning at boot); every other check stays on.
 */
export async function startAppProcess(logFile: string, env: Record<string, string>, options: AppProcessOptions = {}): Promise<AppProcess> {
  const logFd = openSync(logFile, 'w');
  const child = fork(join(__dirname, 'app-server.js'), [], {
    execArgv: [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...(options.nodeArgs ?? [])],
    stdio: ['ignore', logFd, 'inherit', 'ipc'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '10',
      ALLOW_UNSAFE_PUBLIC_URL: 'true',
      ...env,
    },
  });
  closeSync(logFd);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code} (log: ${logFile})`)));
  });
  const cpuMs = () =>
    ask(child, 'cpu', (m) => {
      const cpu = (m as { cpu?: { user: number; system: number } }).cpu;
      return cpu ? (cpu.user + cpu.system) / 1000 : undefined;
    });
  const memory = () =>
    ask(child, 'memory', (m) => {
      const r = m as { memory?: NodeJS.MemoryUsage; collected?: boolean };
      return r.memory ? { memory: r.memory, collected: r.collected === true } : undefined;
    });
  const heapSnapshot = (file: string) => ask(child, { heapSnapshot: file }, (m) => (m as { heapSnapshotWritten?: string }).heapSnapshotWritten, 300_000);
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.send('stop');
    });
  return { baseUrl: `http://127.0.0.1:${port}`, pid: child.pid!, cpuMs, memory, heapSnapshot, stop };
}
