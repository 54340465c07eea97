import type { ChildProcess } from 'node:child_process';
import type { Session as InspectorSession } from 'node:inspector';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

// Request/response over Node's IPC channel between the benchmark's processes.

export interface IpcRequest {
  id: number;
  type: string;
  [key: string]: unknown;
}

/** In a child: answers requests with `handler`, and tells the parent it is ready. */
export function serveIpc(handler: (req: IpcRequest) => unknown): void {
  process.on('message', (msg: IpcRequest) => {
    if (typeof msg?.id !== 'number') return;
    Promise.resolve()
      .then(() => handler(msg))
      .then(
        (result) => process.send?.({ id: msg.id, ok: true, result }),
        (err: Error) => process.send?.({ id: msg.id, ok: false, error: err.stack ?? err.message }),
      );
  });
  // The parent's death must not leave benchmark processes behind.
  process.on('disconnect', () => process.exit(0));
}

/** In the parent: a typed client for one child. Events (messages without an id) go to `onEvent`. */
export class IpcClient {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  onEvent: (event: Record<string, unknown>) => void = () => undefined;

  constructor(readonly child: ChildProcess) {
    child.on('message', (msg: { id?: number; ok?: boolean; result?: unknown; error?: string } & Record<string, unknown>) => {
      if (typeof msg.id !== 'number') return this.onEvent(msg);
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new Error(msg.error));
    });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`child exited with ${code}`));
      this.waiting.clear();
    });
  }

  request<T>(type: string, body: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`IPC ${type} timed out`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, type, ...body });
    });
  }
}

/** CPU time of this process in µs (user + kernel, and each), and its RSS in bytes. */
export function usage(): { cpuMicros: number; userMicros: number; systemMicros: number; rss: number } {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, userMicros: cpu.user, systemMicros: cpu.system, rss: process.memoryUsage().rss };
}

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

/** Event-loop delay since the previous call, in ms (how long ready work waited for the loop). */
export function eventLoopDelay(): { p50: number; p99: number; max: number } {
  const result = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
  loopDelay.reset();
  return result;
}

let gcPauses: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push(entry.duration);
}).observe({ entryTypes: ['gc'] });

/** Garbage-collection pauses since the previous call: count, total and longest, in ms. */
export function gcStats(): { count: number; totalMs: number; maxMs: number } {
  const pauses = gcPauses;
  gcPauses = [];
  return { count: pauses.length, totalMs: pauses.reduce((a, b) => a + b, 0), maxMs: pauses.reduce((a, b) => Math.max(a, b), 0) };
}

let profiler: InspectorSession | undefined;

/** Starts a V8 CPU profile of this process (the benchmark's steady window). */
export async function startProfiling(): Promise<void> {
  const inspector = await import('node:inspector');
  profiler = new inspector.Session();
  profiler.connect();
  const post = (method: string, params?: object) =>
    new Promise<void>((resolve, reject) => profiler!.post(method, params ?? {}, (err) => (err ? reject(err) : resolve())));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
}

/** Stops it and writes the .cpuprofile file. */
export async function stopProfiling(file: string): Promise<void> {
  const session = profiler;
  if (!session) return;
  profiler = undefined;
  const { writeFileSync } = await import('node:fs');
  const profile = await new Promise<unknown>((resolve, reject) =>
    session.post('Profiler.stop', (err, result) => (err ? reject(err) : resolve(result.profile))),
  );
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
}
