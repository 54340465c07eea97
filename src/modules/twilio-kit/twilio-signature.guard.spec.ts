import { beforeAll, describe, expect, it } from '@jest/globals';
import { type ExecutionContext, ForbiddenException, Logger, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type { AuditService } from '../../common/audit/audit.service.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import type { AppConfig } from '../../config/app-config.js';
import type { TwilioCredentialsService } from '../provider-clients/twilio-credentials.service.js';
import { TWILIO_DEGRADED_ACCESS } from './twilio-request.js';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';

// Signatures are made with the official library; the guard is driven with a fake ExecutionContext.
const PLATFORM = { sid: 'AC' + '1'.repeat(32), token: 'platform-token' };
const SUB = { sid: 'AC' + '2'.repeat(32), token: 'b'.repeat(32), tenantId: 'tenant-2' };
const BASE = 'https://voice.example.com';

function setup(opts: { validate?: boolean; lookupFails?: boolean; degradedRoute?: boolean; subTokenKnown?: boolean; allowedIps?: string[] } = {}) {
  const denied: Array<{ action: string; reason: string }> = [];
  const lookups: Array<string | undefined> = [];
  const credentials = {
    authTokenForAccount: async (sid?: string) => {
      lookups.push(sid);
      if (!sid || sid === PLATFORM.sid) return { authToken: PLATFORM.token, tenantId: null };
      if (opts.lookupFails) throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
      return sid === SUB.sid ? { authToken: SUB.token, tenantId: SUB.tenantId } : undefined;
    },
    // What the service holds in memory: the platform token, and SUB's once a lookup confirmed it.
    knownAuthTokenForAccount: (sid?: string) => {
      if (!sid || sid === PLATFORM.sid) return { authToken: PLATFORM.token, tenantId: null };
      return sid === SUB.sid && opts.subTokenKnown ? { authToken: SUB.token, tenantId: SUB.tenantId } : undefined;
    },
  } as unknown as TwilioCredentialsService;
  const audit = { recordDenied: async (_r: unknown, action: string, reason: string) => void denied.push({ action, reason }) } as unknown as AuditService;
  const metrics = new MetricsService();
  const config = {
    publicBaseUrl: BASE,
    twilio: { validateSignatures: opts.validate ?? true, webhookAllowedIps: opts.allowedIps ?? [] },
  } as unknown as AppConfig;
  const reflector = new Reflector();
  const handler = () => undefined;
  if (opts.degradedRoute) Reflect.defineMetadata(TWILIO_DEGRADED_ACCESS, true, handler);
  const guard = new TwilioSignatureGuard(config, credentials, audit, metrics, reflector);
  const run = (request: Record<string, unknown>) => {
    const req = { id: 'req-1', ip: '127.0.0.1', method: 'POST', routeOptions: { url: '/api/webhooks/twilio/voice' }, ...request } as Record<string, unknown>;
    const context = { switchToHttp: () => ({ getRequest: () => req }), getHandler: () => handler, getClass: () => class {} } as unknown as ExecutionContext;
    return { req, result: guard.canActivate(context) };
  };
  return { run, denied, metrics, lookups };
}

const form = (params: Record<string, string | string[]>, signature: string | undefined, url = '/api/webhooks/twilio/voice') => ({
  url,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature !== undefined ? { 'x-twilio-signature': signature } : {}) },
  body: params,
});

describe(TwilioSignatureGuard.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  const params = { AccountSid: PLATFORM.sid, CallSid: 'CA' + 'a'.repeat(32), To: '+14155550100', From: '+14155550101' };
  const sign = (p: Record<string, string | string[]>, token = PLATFORM.token, url = `${BASE}/api/webhooks/twilio/voice`) =>
    twilio.getExpectedTwilioSignature(token, url, p);

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
    expect((await metrics.webhookRejections.get()).values).toEqual([
      expect.objectContaining({ labels: { provider: 'twilio', reason: 'missing_signature' }, value: 1 }),
    ]);
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
    const ok = run({
      url: path,
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
      body: JSON.parse(raw),
      rawBody: Buffer.from(raw),
    });
    await expect(ok.result).resolves.toBe(true);
    const tampered = run({
      url: path,
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
      body: JSON.parse(raw),
      rawBody: Buffer.from(raw + ' '),
    });
    await expect(tampered.result).rejects.toBeInstanceOf(ForbiddenException);
  });

  it('should skip verification when TWILIO_VALIDATE_SIGNATURES=false', async () => {
    const { run } = setup({ validate: false });
    const { req, result } = run(form({ ...params, AccountSid: SUB.sid }, undefined));
    await expect(result).resolves.toBe(true);
    expect(req.twilioAccount).toEqual({ accountSid: SUB.sid, tenantId: SUB.tenantId, degraded: false });
  });

  describe('when the token lookup fails (database down)', () => {
    const p = { ...params, AccountSid: SUB.sid };

    it('should refuse a garbage signature with 403, on degraded routes too (issue #13)', async () => {
      for (const degradedRoute of [true, false]) {
        const { run, denied } = setup({ lookupFails: true, degradedRoute, subTokenKnown: true });
        const { req, result } = run(form(p, 'garbage'));
        await expect(result).rejects.toBeInstanceOf(ForbiddenException);
        expect(req.twilioAccount).toBeUndefined();
        expect(denied).toEqual([{ action: 'twilio.webhook.rejected', reason: 'unverifiable' }]);
      }
    });

    it('should refuse a signature made with the subaccount token when that token was never confirmed', async () => {
      const { run, denied } = setup({ lookupFails: true, degradedRoute: true, subTokenKnown: false });
      await expect(run(form(p, sign(p, SUB.token))).result).rejects.toBeInstanceOf(ForbiddenException);
      expect(denied[0].reason).toBe('unverifiable');
    });

    it('should give degraded access to a request verified with the last confirmed subaccount token', async () => {
      const { req, result } = setup({ lookupFails: true, degradedRoute: true, subTokenKnown: true }).run(form(p, sign(p, SUB.token)));
      await expect(result).resolves.toBe(true);
      expect(req.twilioAccount).toEqual({ accountSid: SUB.sid, tenantId: SUB.tenantId, degraded: true });
    });

    it('should give degraded access, for no tenant, to a request verified with the platform token', async () => {
      const { req, result } = setup({ lookupFails: true, degradedRoute: true }).run(form(p, sign(p, PLATFORM.token)));
      await expect(result).resolves.toBe(true);
      expect(req.twilioAccount).toEqual({ accountSid: SUB.sid, tenantId: null, degraded: true });
    });

    it('should answer 503 to a verified request on a route without degraded access', async () => {
      const { run, denied } = setup({ lookupFails: true, subTokenKnown: true });
      await expect(run(form(p, sign(p, SUB.token))).result).rejects.toBeInstanceOf(ServiceUnavailableException);
      expect(denied).toEqual([]);
    });
  });

  it.each([
    ['a NUL byte', `AC${'2'.repeat(16)}\u0000${'2'.repeat(15)}`],
    ['an overlong SID', `AC${'2'.repeat(5000)}`],
    ['a lone surrogate', `AC${'2'.repeat(31)}\ud800`],
    ['non-hex characters', `AC${'z'.repeat(32)}`],
    ['an empty string', ''],
    ['two values', [SUB.sid, PLATFORM.sid]],
    ['an object', { $ne: null }],
  ])('should refuse an AccountSid with %s with 403 before any lookup', async (_name, sid) => {
    for (const lookupFails of [false, true]) {
      const { run, denied, lookups } = setup({ lookupFails, degradedRoute: true, subTokenKnown: true });
      const p = { ...params, AccountSid: sid } as unknown as Record<string, string>;
      await expect(run(form(p, 'garbage')).result).rejects.toBeInstanceOf(ForbiddenException);
      expect(lookups).toEqual([]);
      expect(denied[0].reason).toBe('malformed_account');
    }
  });

  it.each(['AC' + 'ab'.repeat(16), 'AC' + 'AB'.repeat(16), 'ac' + '0f'.repeat(16)])('should take %s for a well-formed SID and look it up', async (sid) => {
    const { run, denied, lookups } = setup();
    const p = { ...params, AccountSid: sid };
    await expect(run(form(p, sign(p, 'whatever'))).result).rejects.toBeInstanceOf(ForbiddenException);
    expect(lookups).toEqual([sid]);
    expect(denied[0].reason).toBe('unknown_account');
  });

  it('should refuse a correctly signed request from outside TWILIO_WEBHOOK_ALLOWED_IPS', async () => {
    const { run, denied, metrics, lookups } = setup({ allowedIps: ['203.0.113.0/24'] });
    await expect(run({ ...form(params, sign(params)), ip: '198.51.100.7' }).result).rejects.toBeInstanceOf(ForbiddenException);
    expect(lookups).toEqual([]);
    expect(denied).toEqual([{ action: 'twilio.webhook.rejected', reason: 'source_not_allowed' }]);
    expect((await metrics.webhookRejections.get()).values).toEqual([
      expect.objectContaining({ labels: { provider: 'twilio', reason: 'source_not_allowed' }, value: 1 }),
    ]);
    await expect(run({ ...form(params, sign(params)), ip: '::ffff:203.0.113.9' }).result).resolves.toBe(true);
    // The allowlist adds to the signature, never replaces it.
    await expect(run({ ...form(params, 'garbage'), ip: '203.0.113.9' }).result).rejects.toBeInstanceOf(ForbiddenException);
  });

  it('should keep development mode (no signatures) working through a lookup failure on degraded routes only', async () => {
    const p = { ...params, AccountSid: SUB.sid };
    await expect(setup({ validate: false, lookupFails: true }).run(form(p, undefined)).result).rejects.toBeInstanceOf(ServiceUnavailableException);
    const { req, result } = setup({ validate: false, lookupFails: true, degradedRoute: true }).run(form(p, undefined));
    await expect(result).resolves.toBe(true);
    expect(req.twilioAccount).toEqual({ accountSid: SUB.sid, tenantId: null, degraded: true });
  });
});
