import { beforeAll, describe, expect, it } from '@jest/globals';
import { ExecutionContext, ForbiddenException, Logger, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type { AuditService } from '../../../common/audit/audit.service.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import type { AppConfig } from '../../../config/app-config.js';
import type { TwilioCredentialsService } from '../../provider-clients/twilio-credentials.service.js';
import { TWILIO_DEGRADED_ACCESS } from './twilio-request.js';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';

// Signatures are made with the official library; the guard is driven with a fake ExecutionContext.
const PLATFORM = { sid: 'AC' + '1'.repeat(32), token: 'platform-token' };
const SUB = { sid: 'AC' + '2'.repeat(32), token: 'b'.repeat(32), tenantId: 'tenant-2' };
const BASE = 'https://voice.example.com';

function setup(opts: { validate?: boolean; lookupFails?: boolean; degradedRoute?: boolean } = {}) {
  const denied: Array<{ action: string; reason: string }> = [];
  const credentials = {
    authTokenForAccount: async (sid?: string) => {
      if (opts.lookupFails) throw new Error('connect ECONNREFUSED');
      if (!sid || sid === PLATFORM.sid) return { authToken: PLATFORM.token, tenantId: null };
      return sid === SUB.sid ? { authToken: SUB.token, tenantId: SUB.tenantId } : undefined;
    },
  } as unknown as TwilioCredentialsService;
  const audit = { recordDenied: async (_r: unknown, action: string, reason: string) => void denied.push({ action, reason }) } as unknown as AuditService;
  const metrics = new MetricsService();
  const config = { publicBaseUrl: BASE, twilio: { validateSignatures: opts.validate ?? true } } as AppConfig;
  const reflector = new Reflector();
  const handler = () => undefined;
  if (opts.degradedRoute) Reflect.defineMetadata(TWILIO_DEGRADED_ACCESS, true, handler);
  const guard = new TwilioSignatureGuard(config, credentials, audit, metrics, reflector);
  const run = (request: Record<string, unknown>) => {
    const req = { id: 'req-1', ip: '127.0.0.1', method: 'POST', routeOptions: { url: '/api/webhooks/twilio/voice' }, ...request } as Record<string, unknown>;
    const context = { switchToHttp: () => ({ getRequest: () => req }), getHandler: () => handler, getClass: () => class {} } as unknown as ExecutionContext;
    return { req, result: guard.canActivate(context) };
  };
  return { run, denied, metrics };
}

const form = (params: Record<string, string | string[]>, signature: string | undefined, url = '/api/webhooks/twilio/voice') => ({
  url,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature !== undefined ? { 'x-twilio-signature': signature } : {}) },
  body: params,
});

describe(TwilioSignatureGuard.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  const params = { AccountSid: PLATFORM.sid, CallSid: 'CA' + 'a'.repeat(32), To: '+14155550100', From: '+14155550101' };
  const sign = (p: Record<string, string | string[]>, token = PLATFORM.token, url = `${BASE}/api/webhooks/twilio/voice`) => twilio.getExpectedTwilioSignature(token, url, p);

  it('should accept a platform-signed request and mark the platform account', async () => {
    const { run } = setup();
    const { req, result } = run(form(params, sign(params)));
    await expect(result).resolves.toBe(true);
    expect(req.twilioAccount).toEqual({ accountSid: PLATFORM.sid, tenantId: null, degraded: false });
  });

  it('should verify a subaccount with its own token and name its tenant', async () => {
    const { run } = setup();
    const p = { ...params, AccountSid: SUB.sid };
    const { req, result } = run(form(p, sign(p, SUB.token)));
    await expect(result).resolves.toBe(true);
    expect(req.twilioAccount).toEqual({ accountSid: SUB.sid, tenantId: SUB.tenantId, degraded: false });
  });

  it('should answer 401 without a signature, and record why', async () => {
    const { run, denied, metrics } = setup();
    await expect(run(form(params, undefined)).result).rejects.toBeInstanceOf(UnauthorizedException);
    expect(denied).toEqual([{ action: 'twilio.webhook.rejected', reason: 'missing_signature' }]);
    expect((await metrics.webhookRejections.get()).values).toEqual([expect.objectContaining({ labels: { provider: 'twilio', reason: 'missing_signature' }, value: 1 })]);
  });

  it.each([
    ['a token of another account', () => sign(params, SUB.token)],
    ['a signature over the http URL the app sees', () => sign(params, PLATFORM.token, 'http://voice.example.com/api/webhooks/twilio/voice')],
    ['a signature over other params', () => sign({ ...params, To: '+14155550199' })],
  ])('should answer 403 for %s', async (_name, signature) => {
    const { run, denied } = setup();
    await expect(run(form(params, signature())).result).rejects.toBeInstanceOf(ForbiddenException);
    expect(denied[0].reason).toBe('signature_mismatch');
  });

  it('should answer 403 for an account nobody knows', async () => {
    const { run, denied } = setup();
    const p = { ...params, AccountSid: 'AC' + '9'.repeat(32) };
    await expect(run(form(p, sign(p, 'whatever'))).result).rejects.toBeInstanceOf(ForbiddenException);
    expect(denied[0].reason).toBe('unknown_account');
  });

  it('should verify the JSON variant through bodySHA256', async () => {
    const { run } = setup();
    const raw = JSON.stringify({ AccountSid: PLATFORM.sid, CallSid: params.CallSid });
    const hash = createHash('sha256').update(raw).digest('hex');
    const path = `/api/webhooks/twilio/voice?bodySHA256=${hash}`;
    const signature = twilio.getExpectedTwilioSignature(PLATFORM.token, `${BASE}${path}`, {});
    const ok = run({ url: path, headers: { 'content-type': 'application/json', 'x-twilio-signature': signature }, body: JSON.parse(raw), rawBody: Buffer.from(raw) });
    await expect(ok.result).resolves.toBe(true);
    const tampered = run({ url: path, headers: { 'content-type': 'application/json', 'x-twilio-signature': signature }, body: JSON.parse(raw), rawBody: Buffer.from(raw + ' ') });
    await expect(tampered.result).rejects.toBeInstanceOf(ForbiddenException);
  });

  it('should skip verification when TWILIO_VALIDATE_SIGNATURES=false', async () => {
    const { run } = setup({ validate: false });
    const { req, result } = run(form({ ...params, AccountSid: SUB.sid }, undefined));
    await expect(result).resolves.toBe(true);
    expect(req.twilioAccount).toEqual({ accountSid: SUB.sid, tenantId: SUB.tenantId, degraded: false });
  });

  it('should answer 503 when the token cannot be looked up, unless the route accepts degraded access', async () => {
    await expect(setup({ lookupFails: true }).run(form(params, 'sig')).result).rejects.toBeInstanceOf(ServiceUnavailableException);
    const { req, result } = setup({ lookupFails: true, degradedRoute: true }).run(form(params, 'sig'));
    await expect(result).resolves.toBe(true);
    expect(req.twilioAccount).toEqual({ accountSid: PLATFORM.sid, tenantId: null, degraded: true });
  });
});
