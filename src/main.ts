import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup.js';
import { ShutdownService } from './common/lifecycle/shutdown.service.js';
import { ConfigValidationError, loadAppConfig } from './config/app-config.js';
import { withDevSecrets } from './config/dev-secrets.js';
import { DatabaseUnavailableError } from './database/database-connection.js';
import { DataDirLockedError } from './database/embedded-postgres.js';

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { env, generatedIn } = withDevSecrets(process.env);
  const config = loadAppConfig(env);
  const app = await createApp(config);
  const logger = new Logger('Bootstrap');
  if (generatedIn) logger.warn(`Development secrets (admin API key, encryption key) are kept in ${generatedIn}; set ADMIN_API_KEY and ENCRYPTION_KEY in production`);
  if (!config.twilio.validateSignatures) {
    logger.warn('TWILIO_VALIDATE_SIGNATURES=false: Twilio webhooks are NOT authenticated. Never run like this in production.');
  }
  await app.listen({ port: config.http.port, host: config.http.host });
  logger.log(`Listening on ${config.http.host}:${config.http.port}; public URL ${config.publicBaseUrl}`);

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
  if (err instanceof ConfigValidationError || err instanceof DataDirLockedError || err instanceof DatabaseUnavailableError) {
    console.error(err.message);
  } else {
    console.error('Switchboard failed to start:', err);
  }
  process.exit(1);
});
