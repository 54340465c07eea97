// The app under test, in its own process so the load generator does not share its event loop.
// Started by startAppProcess (app-process.ts) with production settings; stdout (the JSON request
// log) goes to a file.
import { createApp } from '../../src/app.setup.js';
import { loadAppConfig } from '../../src/config/app-config.js';

async function main(): Promise<void> {
  const app = await createApp(loadAppConfig(process.env), { quiet: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  process.on('message', (message) => {
    if (message === 'stop') void app.close().then(() => process.exit(0));
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  process.send?.({ ready: true, port });
}

main().catch((err: unknown) => {
  console.error('bench server failed to start:', err);
  process.exit(1);
});
