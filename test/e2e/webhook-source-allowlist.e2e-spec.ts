import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { signElevenLabsPayload } from '../simulators/elevenlabs/post-call-webhook.js';
import { MediaStreamHandshakeError, TwilioCallSimulator } from '../simulators/twilio/index.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_ENV } from '../setup/test-env.js';

// TWILIO_WEBHOOK_ALLOWED_IPS / ELEVENLABS_WEBHOOK_ALLOWED_IPS: checked on the client address
// resolved through TRUSTED_PROXIES, on top of the signatures. Every request goes to 127.0.0.1;
// the documentation addresses (203.0.113.0/24, 198.51.100.0/24) only ever appear as header values.

const PUBLIC = TEST_ENV.PUBLIC_BASE_URL;
const ALLOWED = '203.0.113.5';
const OTHER = '198.51.100.7';

function signedTwilioStatus() {
  const params = { AccountSid: TEST_ENV.TWILIO_ACCOUNT_SID, CallSid: 'CA' + randomBytes(16).toString('hex'), CallStatus: 'completed' };
  const path = '/api/webhooks/twilio/voice/status';
  return {
    method: 'POST' as const,
    url: path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(TEST_ENV.TWILIO_AUTH_TOKEN, PUBLIC + path, params),
    },
    payload: new URLSearchParams(params).toString(),
  };
}

function signedElevenLabsEvent() {
  const raw = JSON.stringify({ type: 'interruption', data: { conversation_id: 'conv_' + randomBytes(8).toString('hex') } });
  return {
    method: 'POST' as const,
    url: '/api/webhooks/elevenlabs/conversation-events',
    headers: { 'content-type': 'application/json', 'elevenlabs-signature': signElevenLabsPayload(raw, TEST_ENV.ELEVENLABS_WEBHOOK_SECRET) },
    payload: raw,
  };
}

const withForwardedFor = <T extends { headers: Record<string, string> }>(req: T, address: string): T => ({
  ...req,
  headers: { ...req.headers, 'x-forwarded-for': address },
});

async function rejections(t: TestApp, provider: string): Promise<number> {
  const metrics = (await t.inject({ method: 'GET', url: '/metrics' })).body;
  const line = metrics.split('\n').find((l) => l.startsWith(`webhook_signature_rejections_total{provider="${provider}",reason="source_not_allowed"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('Webhook source allowlists', () => {
  describe('behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1), allowlists that exclude it', () => {
    let t: TestApp;
    let appBaseUrl: string;

    beforeAll(async () => {
      t = await createTestApp({
        TRUSTED_PROXIES: '127.0.0.1',
        TWILIO_WEBHOOK_ALLOWED_IPS: `203.0.113.0/24, 2001:db8::/32`,
        ELEVENLABS_WEBHOOK_ALLOWED_IPS: ALLOWED,
      });
      appBaseUrl = await t.listen();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('should refuse correctly signed webhooks from 127.0.0.1 itself with 403 and no detail, counted and audited', async () => {
      const before = { twilio: await rejections(t, 'twilio'), elevenlabs: await rejections(t, 'elevenlabs') };
      const twilioRes = await t.inject(signedTwilioStatus());
      expect(twilioRes.statusCode).toBe(403);
      expect(twilioRes.body).not.toMatch(/source|allow|address|127\.0\.0\.1/i);
      const elevenRes = await t.inject(signedElevenLabsEvent());
      expect(elevenRes.statusCode).toBe(403);
      expect(elevenRes.body).toBe(twilioRes.body); // the same fixed refusal: no detail
      expect(await rejections(t, 'twilio')).toBe(before.twilio + 1);
      expect(await rejections(t, 'elevenlabs')).toBe(before.elevenlabs + 1);
      const audited = await waitFor(
        async () => {
          const rows = await t.dataSource.query(
            `SELECT action, outcome, source_ip FROM audit_logs WHERE details->>'reason' = 'source_not_allowed' AND occurred_at > now() - interval '1 minute'`,
          );
          return rows.length >= 2 ? rows : undefined;
        },
        5_000,
        'audit rows',
      );
      expect(audited).toEqual(
        expect.arrayContaining([expect.objectContaining({ action: 'twilio.webhook.rejected', outcome: 'denied', source_ip: '127.0.0.1' })]),
      );
    });

    it('should accept correctly signed webhooks forwarded for an allowed client', async () => {
      expect((await t.inject(withForwardedFor(signedTwilioStatus(), ALLOWED))).statusCode).toBe(204);
      expect((await t.inject(withForwardedFor(signedTwilioStatus(), '2001:db8::5'))).statusCode).toBe(204);
      const res = await t.inject(withForwardedFor(signedElevenLabsEvent(), ALLOWED));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ received: true });
    });

    it('should refuse webhooks forwarded for a client outside the list, and bad signatures from allowed ones', async () => {
      expect((await t.inject(withForwardedFor(signedTwilioStatus(), OTHER))).statusCode).toBe(403);
      expect((await t.inject(withForwardedFor(signedElevenLabsEvent(), OTHER))).statusCode).toBe(403);
      // The nearest untrusted hop decides: a client cannot prepend an allowed address.
      expect((await t.inject(withForwardedFor(signedTwilioStatus(), `${ALLOWED}, ${OTHER}`))).statusCode).toBe(403);
      // In addition to the signature, never instead of it.
      const unsigned = withForwardedFor(signedTwilioStatus(), ALLOWED);
      expect((await t.inject({ ...unsigned, headers: { ...unsigned.headers, 'x-twilio-signature': 'garbage' } })).statusCode).toBe(403);
      const elevenUnsigned = withForwardedFor(signedElevenLabsEvent(), ALLOWED);
      expect((await t.inject({ ...elevenUnsigned, headers: { ...elevenUnsigned.headers, 'elevenlabs-signature': 'garbage' } })).statusCode).toBe(401);
    });

    it('should refuse ElevenLabs server-tool calls from outside the list before looking at the secret', async () => {
      const before = await rejections(t, 'elevenlabs_tools');
      const res = await t.inject({ method: 'GET', url: '/api/webhooks/elevenlabs/services', headers: { 'x-switchboard-tool-secret': 'sbt_anything' } });
      expect(res.statusCode).toBe(403);
      expect(await rejections(t, 'elevenlabs_tools')).toBe(before + 1);
    });

    it('should refuse a signed media-stream upgrade from outside the list with 403, and let an allowed one through', async () => {
      const call = new TwilioCallSimulator({
        appBaseUrl,
        publicBaseUrl: PUBLIC,
        accountSid: TEST_ENV.TWILIO_ACCOUNT_SID,
        authToken: TEST_ENV.TWILIO_AUTH_TOKEN,
        from: '+14155550123',
        to: '+14155550124',
      });
      for (const headers of [{}, { 'X-Forwarded-For': OTHER }] as Array<Record<string, string>>) {
        const err = await call.openMediaStream({ streamUrl: '/media-stream', autoStart: false, headers }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MediaStreamHandshakeError);
        expect((err as MediaStreamHandshakeError).statusCode).toBe(403);
      }
      const session = await call.openMediaStream({ streamUrl: '/media-stream', autoStart: false, headers: { 'X-Forwarded-For': ALLOWED } });
      await session.close();
      const metrics = (await t.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/media_bridge_stream_rejections_total\{reason="source_not_allowed"\} 2/);
    });
  });

  describe('without trusted proxies, a Twilio list with loopback and an ElevenLabs list without it', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ TWILIO_WEBHOOK_ALLOWED_IPS: '127.0.0.1/8', ELEVENLABS_WEBHOOK_ALLOWED_IPS: ALLOWED });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('should accept a correctly signed Twilio webhook from 127.0.0.1, whatever X-Forwarded-For says', async () => {
      expect((await t.inject(signedTwilioStatus())).statusCode).toBe(204);
      expect((await t.inject(withForwardedFor(signedTwilioStatus(), OTHER))).statusCode).toBe(204);
    });

    it('should not believe an X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      expect((await t.inject(withForwardedFor(signedElevenLabsEvent(), ALLOWED))).statusCode).toBe(403);
    });
  });
});
