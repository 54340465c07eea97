import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { TEST_ENV } from '../setup/test-env.js';
import { FakeTwilioApi } from '../simulators/twilio/index.js';
import { createTestApp, type TestApp } from '../support/app.factory.js';

// A staging box started in production mode with ALLOW_UNSAFE_PUBLIC_URL: the service runs, but
// it must never point a real number's webhooks at a URL Twilio cannot safely call.
describe('Phone-number provisioning in production (e2e)', () => {
  let t: TestApp;
  let fake: FakeTwilioApi;

  beforeAll(async () => {
    fake = await FakeTwilioApi.start({ accounts: { [TEST_ENV.TWILIO_ACCOUNT_SID]: TEST_ENV.TWILIO_AUTH_TOKEN } });
    t = await createTestApp({
      NODE_ENV: 'production',
      PUBLIC_BASE_URL: 'http://localhost:3000',
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      ALLOW_UNSAFE_PUBLIC_URL: 'true',
      ALLOW_UNSAFE_SECRETS: 'true', // the suites' admin key is short
      ALLOW_UNSAFE_EMBEDDED_DATABASE: 'true', // when the run has no DATABASE_URL
      TWILIO_API_BASE_URL: fake.baseUrl,
      WEBHOOK_DRIFT_CHECK_INTERVAL_MS: '0',
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
  });

  it('should refuse to write a localhost, non-https webhook URL to Twilio, saying why, and change nothing', async () => {
    const tenant = await createTenant(t);
    const e164 = uniquePhoneNumber();
    const sid = fake.addNumber({ phoneNumber: e164, voiceUrl: 'https://old.example.org/voice' }).sid as string;
    const res = await t.api('POST', '/api/phone-numbers/assign', { phoneNumber: e164, tenantId: tenant.id });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'UNSAFE_WEBHOOK_URL',
      message: expect.stringMatching(/Refusing to set voiceUrl to http:\/\/localhost:3000\/api\/webhooks\/twilio\/voice: .*https/),
    });
    expect(fake.numbers.get(sid)?.voice_url).toBe('https://old.example.org/voice');
    const [row] = await t.dataSource.query('SELECT tenant_id FROM phone_numbers WHERE e164 = $1', [e164]);
    expect(row?.tenant_id ?? null).toBeNull();
  });
});
