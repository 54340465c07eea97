import { existsSync } from 'node:fs';
import { createApp } from './app.setup.js';
import { BootLogger, createBootPino } from './common/logging/boot-logger.js';
import { ShutdownService } from './common/lifecycle/shutdown.service.js';
import { ConfigValidationError, loadAppConfig } from './config/app-config.js';
import { withDevSecrets } from './config/dev-secrets.js';
import { DatabaseUnavailableError } from './database/database-connection.js';
import { DataDirLockedError } from './database/embedded-postgres.js';

// Boot log: one JSON line per step (configuration loaded, database ready, listening, ready), in
// production always JSON; the level and format follow LOG_LEVEL / LOG_PRETTY once they are known.
const production = process.env.NODE_ENV === 'production';
let boot = createBootPino({ level: 'info', pretty: !production && process.stdout.isTTY === true });

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { env, file, generated } = withDevSecrets(process.env);
  const config = loadAppConfig(env);
  boot = createBootPino({ level: config.log.level, pretty: config.log.pretty });
  boot.info({ nodeEnv: config.nodeEnv, publicBaseUrl: config.publicBaseUrl, database: config.db.url ? 'postgres' : 'embedded' }, 'Configuration loaded');
  if (generated) {
    // Printed once, when generated; afterwards they are only in the file (mode 0600).
    const lines = Object.entries(generated).map(([name, value]) => `  ${name}=${value}`);
    process.stdout.write(
      `\nDevelopment secrets generated and kept in ${file}:\n${lines.join('\n')}\n` +
        `Use the admin key as "Authorization: Bearer <ADMIN_API_KEY>". The Twilio pair is a demo account: requests signed with it are accepted here (npm run call).\n\n`,
    );
  } else if (file) {
    boot.info({ file }, 'Using the development secrets kept under DATA_DIR (set ADMIN_API_KEY and ENCRYPTION_KEY in production)');
  }
  for (const override of config.unsafeOverrides) boot.warn({ unsafe: true }, `UNSAFE PRODUCTION SETTING ALLOWED BY OVERRIDE: ${override}`);
  if (!config.twilio.validateSignatures) {
    boot.warn('TWILIO_VALIDATE_SIGNATURES=false: Twilio webhooks are NOT authenticated. Never run like this in production.');
  }

  const app = await createApp(config, { bootLogger: new BootLogger(boot) });
  await app.listen({ port: config.http.port, host: config.http.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  boot.info({ host: config.http.host, port, publicBaseUrl: config.publicBaseUrl }, `Listening on ${config.http.host}:${port}`);
  boot.info('Ready');

  // SIGTERM (orchestrators, load balancers): readiness fails at once, live calls drain, then close.
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await app.get(ShutdownService).drain();
      await app.close();
      process.exit(0);
    })();
  });
}

bootstrap().catch((err: Error) => {
  // One line, said once: what failed and, for configuration, every variable at fault.
  const known = err instanceof ConfigValidationError || err instanceof DataDirLockedError || err instanceof DatabaseUnavailableError;
  const message = known ? err.message : `Switchboard failed to start: ${err.message}`;
  boot.fatal({ error: err.name, code: (err as { code?: string }).code }, message);
  boot.flush?.();
  // Let the (possibly asynchronous) transport write the line before exiting.
  setTimeout(() => process.exit(1), 50).unref();
  process.exitCode = 1;
});
