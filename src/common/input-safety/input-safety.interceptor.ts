import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { cleanInput, findUnsafeInput, MAX_INPUT_DEPTH, UnsafeInput } from './unsafe-input.js';

// Routes a provider (Twilio, ElevenLabs) calls: a stray byte in a caller's SMS or transcript is
// cleaned, never refused. Everything else is our API, whose callers can fix their request.
const PROVIDER_ROUTE_PREFIXES = ['/api/webhooks/twilio/', '/api/webhooks/elevenlabs/'];

const REASONS: Record<UnsafeInput['kind'], string> = {
  depth: `is nested deeper than ${MAX_INPUT_DEPTH} levels`,
  nul: 'must not contain NUL characters (\\u0000)',
  surrogate: 'must be valid Unicode (it contains a lone UTF-16 surrogate)',
  non_finite: 'must be a finite number',
};

export function isProviderRoute(route: string): boolean {
  return PROVIDER_ROUTE_PREFIXES.some((prefix) => route.startsWith(prefix));
}

/**
 * Makes input safe at the edge, once, for every route (docs/security.md). An interceptor because
 * it must run AFTER the guards (provider signatures are computed over the bytes and fields as
 * received, so nothing may change before they are checked) and BEFORE any parameter is built
 * (@Body/@Query pipes, TwilioParams, handlers reading request.body), all of which Nest does
 * inside the interceptor chain. The body parser's output is never walked recursively before this.
 */
@Injectable()
export class InputSafetyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const provider = isProviderRoute(request.routeOptions?.url ?? request.url);

    // Route parameters are ours (we hand out the URLs): refused everywhere.
    refuse(findUnsafeInput(request.params, { numbers: true }), 'params');
    for (const part of ['query', 'body'] as const) {
      const value = request[part];
      if (value === undefined || value === null) continue;
      const prefix = part === 'query' ? 'query' : '';
      if (!provider) {
        refuse(findUnsafeInput(value, { numbers: true }), prefix);
        continue;
      }
      // Providers: nesting is refused wherever it is (a stray byte earlier in the body must not
      // hide it), text is cleaned.
      refuse(findUnsafeInput(value, { strings: false }), prefix);
      if (findUnsafeInput(value)) request[part] = cleanInput(value);
    }
    return next.handle();
  }
}

function refuse(problem: UnsafeInput | null, prefix: string): void {
  if (!problem) return;
  const field = [prefix, problem.path].filter(Boolean).join('.') || 'body';
  const message = `${field} ${REASONS[problem.kind]}`;
  throw new BadRequestException({ code: 'VALIDATION_FAILED', message: `Validation failed: ${message}`, details: [{ field, messages: [message] }] });
}
