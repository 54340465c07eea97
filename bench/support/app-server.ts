// The app under test, in its own process so the load generator does not share its event loop.
// Started by startAppProcess (app-process.ts) with production settings; stdout (the JSON request
// log) goes to a file. The parent drives it over the IPC channel only (no HTTP endpoint): stop,
// CPU time, and for the soak benchmark a forced GC with the memory after it, and heap snapshots.
import { writeHeapSnapshot } from 'node:v8';
import { createApp } from '../../src/app.setup.js';
import { loadAppConfig } from '../../src/config/app-config.js';

/** Full collections until the heap stops shrinking (weak references and finalizers take a second pass). */
async function collectGarbage(): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  let last = Infinity;
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const used = process.memoryUsage().heapUsed;
    if (used >= last - 64 * 1024) break;
    last = used;
  }
  return true;
}

async function main(): Promise<void> {
  const app = await createApp(loadAppConfig(process.env), { quiet: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  process.on('message', (message: unknown) => {
    if (message === 'stop') void app.close().then(() => process.exit(0));
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (message === 'memory') void collectGarbage().then((collected) => process.send?.({ memory: process.memoryUsage(), collected }));
    const snapshot = (message as { heapSnapshot?: string } | null)?.heapSnapshot;
    if (typeof snapshot === 'string') void collectGarbage().then(() => process.send?.({ heapSnapshotWritten: writeHeapSnapshot(snapshot) }));
  });
  process.send?.({ ready: true, port });
}

main().catch((err: unknown) => {
  console.error('bench server failed to start:', err);
  process.exit(1);
});
