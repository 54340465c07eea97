import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';

/** Route config flag (set with @RouteConfig) for routes that take ELEVENLABS_POST_CALL_BODY_LIMIT_BYTES. */
export const POST_CALL_BODY_LIMIT = 'postCallBodyLimit';

/**
 * Gives the post-call route its own, larger body limit: post_call_audio carries the whole call as
 * base64 MP3, far above BODY_LIMIT_BYTES. @nestjs/platform-fastify passes @RouteConfig only as
 * Fastify's `config`, not as the route's `bodyLimit`, so an onRoute hook copies the limit over.
 * It is registered while providers are created, which is before Nest registers any route.
 */
@Injectable()
export class PostCallBodyLimit {
  constructor(adapterHost: HttpAdapterHost, @Inject(APP_CONFIG) config: AppConfig) {
    const fastify = adapterHost.httpAdapter?.getInstance?.<FastifyInstance>();
    fastify?.addHook('onRoute', (route: RouteOptions) => {
      if ((route.config as Record<string, unknown> | undefined)?.[POST_CALL_BODY_LIMIT]) route.bodyLimit = config.elevenlabs.postCall.bodyLimitBytes;
    });
  }
}
