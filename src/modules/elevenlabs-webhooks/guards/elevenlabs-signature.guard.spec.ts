import { describe, expect, it } from '@jest/globals';
import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuditService } from '../../../common/audit/audit.service.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import type { AppConfig } from '../../../config/app-config.js';
import { computeSignature } from '../elevenlabs-signature.js';
import { ElevenLabsSignatureGuard } from './elevenlabs-signature.guard.js';

const config = { elevenlabs: { webhookSecrets: { default: ['s_default'], postCall: ['s_new', 's_old'], conversationEvents: [], conversationInitiation: [] } } } as unknown as AppConfig;

function setup() {
  const denied: string[] = [];
  const audit = { recordDenied: async (_req: unknown, _action: string, reason: string) => void denied.push(reason) } as unknown as AuditService;
  const metrics = new MetricsService();
  const guard = new ElevenLabsSignatureGuard(new Reflector(), audit, metrics, config);
  const context = (headers: Record<string, string>, rawBody = Buffer.from('{"a":1}')) =>
    ({
      getHandler: () => () => undefined,
      getClass: () => class {},
      switchToHttp: () => ({ getRequest: () => ({ id: 'req-1', headers, rawBody, routeOptions: { url: '/x' } }) }),
    }) as unknown as ExecutionContext;
  return { guard, context, denied, metrics };
}

describe(ElevenLabsSignatureGuard.name, () => {
  const now = Math.floor(Date.now() / 1000);
  const header = (secret: string, t = now, body = '{"a":1}') => `t=${t},v0=${computeSignature(body, t, secret)}`;

  it('should let a valid signature through with the endpoint (or default) secrets', () => {
    const { guard, context } = setup();
    expect(guard.canActivate(context({ 'elevenlabs-signature': header('s_default') }))).toBe(true);
  });

  it('should answer 401 when the header is missing or malformed, 403 when wrong or stale, and count each', async () => {
    const { guard, context, denied, metrics } = setup();
    expect(() => guard.canActivate(context({}))).toThrow(UnauthorizedException);
    expect(() => guard.canActivate(context({ 'elevenlabs-signature': 'v0=zz' }))).toThrow(UnauthorizedException);
    expect(() => guard.canActivate(context({ 'elevenlabs-signature': header('nope') }))).toThrow(ForbiddenException);
    expect(() => guard.canActivate(context({ 'elevenlabs-signature': header('s_default', now - 3600) }))).toThrow(ForbiddenException);
    expect(denied).toEqual(['missing', 'malformed', 'mismatch', 'stale']);
    expect(await metrics.registry.getSingleMetricAsString('webhook_signature_rejections_total')).toContain('reason="stale"} 1');
  });
});
