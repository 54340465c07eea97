import { fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface AppProcess {
  baseUrl: string;
  /** The app process's CPU time so far, in ms. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the built app in a child process (app-server.ts) with production settings: JSON logs at
 * `info` to `logFile`, NODE_ENV=production, plus `env`. BENCH_CPU_PROF=<dir> writes a V8 CPU profile.
 */
export async function startAppProcess(logFile: string, env: Record<string, string>): Promise<AppProcess> {
  const logFd = openSync(logFile, 'w');
  const child = fork(join(__dirname, 'app-server.js'), [], {
    execArgv: process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [],
    stdio: ['ignore', logFd, 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', LOG_PRETTY: 'false', DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '10', ...env },
  });
  closeSync(logFd);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code} (log: ${logFile})`)));
  });
  const cpuMs = () =>
    new Promise<number>((resolve) => {
      const onMessage = (m: unknown) => {
        const cpu = (m as { cpu?: { user: number; system: number } }).cpu;
        if (!cpu) return;
        child.off('message', onMessage);
        resolve((cpu.user + cpu.system) / 1000);
      };
      child.on('message', onMessage);
      child.send('cpu');
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.send('stop');
    });
  return { baseUrl: `http://127.0.0.1:${port}`, cpuMs, stop };
}
