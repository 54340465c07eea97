import type { IncomingMessage } from 'node:http';
import { type LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { WiringAtDebugLogger } from './common/logging/boot-logger.js';
import { buildOpenApiDocument } from './common/openapi/openapi-document.js';
import { MetricsService } from './common/metrics/metrics.service.js';
import { TwilioWsAdapter } from './common/ws/twilio-ws.adapter.js';
import { rejectUnacceptedMediaTypes } from './common/http/media-types.js';
import { compileTrust, requestIdFor } from './common/logging/request-id.js';
import { validationExceptionFactory } from './common/filters/validation-exception.factory.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';

export interface CreateAppOptions {
  /** Tests silence Nest's own bootstrap logging; the pino logger still follows LOG_LEVEL. */
  quiet?: boolean;
  /** Where Nest logs while the application is created (main.ts: the process's JSON boot logger). */
  bootLogger?: LoggerService;
}

/** Builds the Fastify adapter with the load-balancer aware settings (trusted proxies, body limit, request ids). */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  const trust = compileTrust(config.http.trustedProxies);
  return new FastifyAdapter({
    trustProxy: config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
    bodyLimit: config.http.bodyLimitBytes,
    genReqId: (req: IncomingMessage) => requestIdFor(req, trust),
    requestIdHeader: false,
    // Keep-alive sockets are closed at shutdown instead of holding the process open.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
}

/** Creates the application exactly as production runs it; main.ts and the e2e tests both use this. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createFastifyAdapter(config), {
    rawBody: true, // webhook signatures are computed over the exact bytes received
    // Boot lines go straight to the boot logger (JSON in production); buffering them would print
    // them through Nest's coloured console logger when the boot fails.
    logger: options.quiet ? false : (options.bootLogger ?? undefined),
    abortOnError: false,
  });
  configureApp(app);
  return app;
}

/** Global plumbing shared by every entry point: logger, validation, request ids, metrics, OpenAPI. */
export function configureApp(app: NestFastifyApplication): void {
  app.useLogger(new WiringAtDebugLogger(app.get(Logger)));
  // WebSocket gateways (Twilio media streams on /media-stream) share the HTTP port.
  app.useWebSocketAdapter(new TwilioWsAdapter(app));
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  const { corsOrigins } = app.get<AppConfig>(APP_CONFIG).http;
  if (corsOrigins.length > 0) {
    // Dashboards in a browser: bearer keys, never cookies, so no credentials mode.
    app.enableCors({
      origin: corsOrigins,
      allowedHeaders: ['authorization', 'content-type', 'last-event-id', 'x-request-id'],
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    });
  }
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: validationExceptionFactory }));

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  rejectUnacceptedMediaTypes(fastify);
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpRequestDuration.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
  });

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', useGlobalPrefix: false });
  app.enableShutdownHooks(['SIGINT']);
}
