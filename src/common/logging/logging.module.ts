import { Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { pino } from 'pino';
import type { Options } from 'pino-http';
import { APP_CONFIG, AppConfig } from '../../config/app-config.js';
import { isQuietRequest } from './quiet-routes.js';
import { REDACT_PATHS } from './redaction.js';
import { compileTrust, requestIdFor } from './request-id.js';

// Structured JSON logs (pino), one line per request with its correlation id; pretty output only
// when a terminal is attached. Secrets, signatures and phone numbers are redacted.
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const trust = compileTrust(config.http.trustedProxies);
        const options: Options = {
          level: config.log.level,
          transport: config.log.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
          redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          genReqId: (req: IncomingMessage) => requestIdFor(req, trust),
          customProps: () => ({ service: 'switchboard' }),
          autoLogging: { ignore: isQuietRequest },
          serializers: {
            // Path only: query strings may carry tokens (SSE stream tokens) or numbers.
            req: (req: IncomingMessage & { id?: string }) => ({ id: req.id, method: req.method, url: (req.url ?? '').split('?')[0] }),
            res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
          },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        };
        // JSON lines to stdout, written asynchronously: a synchronous write per line is a syscall on
        // every request's path (~5% of a status callback's CPU). Lines still buffered are flushed
        // synchronously when the process exits, crash included (pino.destination registers it).
        return { pinoHttp: config.log.pretty ? options : [options, pino.destination({ dest: 1, sync: false })] };
      },
    }),
  ],
})
export class LoggingModule {}
