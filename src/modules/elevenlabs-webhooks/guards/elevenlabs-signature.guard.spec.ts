import { describe, expect, it } from '@jest/globals';
import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuditService } from '../../../common/audit/audit.service.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import type { AppConfig } from '../../../config/app-config.js';
import { computeSignature } from '../elevenlabs-signature.js';
import { ElevenLabsSignatureGuard } from './elevenlabs-signature.guard.js';

const secrets = { default: ['s_default'], postCall: ['s_new', 's_old'], conversationEvents: [], conversationInitiation: [] };

function setup(webhookAllowedIps: string[] = []) {
  const config = { elevenlabs: { webhookSecrets: secrets, webhookAllowedIps } } as unknown as AppConfig;
  const denied: string[] = [];
  const audit = { recordDenied: async (_req: unknown, _action: string, reason: string) => void denied.push(reason) } as unknown as AuditService;
  const metrics = new MetricsService();
  const guard = new ElevenLabsSignatureGuard(new Reflector(), audit, metrics, config);
  const context = (headers: Record<string, string>, rawBody = Buffer.from('{"a":1}'), ip = '127.0.0.1') =>
    ({
      getHandler: () => () => undefined,
      getClass: () => class {},
      switchToHttp: () => ({ getRequest: () => ({ id: 'req-1', ip, headers, rawBody, routeOptions: { url: '/x' } }) }),
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

  it('should refuse a valid signature from outside ELEVENLABS_WEBHOOK_ALLOWED_IPS with 403, and count it', async () => {
    const { guard, context, denied, metrics } = setup(['34.67.146.145', '2001:db8::/32']);
    const signed = { 'elevenlabs-signature': header('s_default') };
    expect(() => guard.canActivate(context(signed, undefined, '198.51.100.7'))).toThrow(ForbiddenException);
    expect(denied).toEqual(['source_not_allowed']);
    expect(await metrics.registry.getSingleMetricAsString('webhook_signature_rejections_total')).toContain('reason="source_not_allowed"} 1');
    expect(guard.canActivate(context(signed, undefined, '34.67.146.145'))).toBe(true);
    expect(guard.canActivate(context(signed, undefined, '::ffff:34.67.146.145'))).toBe(true);
    expect(guard.canActivate(context(signed, undefined, '2001:db8::1'))).toBe(true);
    expect(() => guard.canActivate(context({ 'elevenlabs-signature': header('nope') }, undefined, '34.67.146.145'))).toThrow(ForbiddenException);
  });
});
