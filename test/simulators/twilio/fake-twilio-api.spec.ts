import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import { FakeTwilioApi } from './fake-twilio-api.js';
import { countSmsSegments } from './fake-twilio-resources.js';
import { createRedirectedTwilioClient } from './redirecting-request-client.js';

const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
const AUTH_TOKEN = 'fake-api-token';
const OTHER_SID = `AC${'b'.repeat(32)}`;
const RFC_2822 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

describe(FakeTwilioApi.name, () => {
  let api: FakeTwilioApi;
  let client: twilio.Twilio;

  beforeAll(async () => {
    api = await FakeTwilioApi.start({ port: 0, accounts: { [ACCOUNT_SID]: AUTH_TOKEN, [OTHER_SID]: 'other-token' } });
    client = createRedirectedTwilioClient(api.baseUrl, ACCOUNT_SID, AUTH_TOKEN);
  });
  beforeEach(() => api.reset());
  afterAll(() => api.stop());

  describe('calls', () => {
    it('should create a queued call and record the form with repeated StatusCallbackEvent', async () => {
      const call = await client.calls.create({
        to: '+15551230001',
        from: '+15559870002',
        url: 'https://voice.example.com/api/webhooks/twilio/voice',
        statusCallback: 'https://voice.example.com/api/webhooks/twilio/voice/status',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        machineDetection: 'DetectMessageEnd',
        asyncAmd: 'true',
      });
      expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
      expect(call).toMatchObject({ status: 'queued', accountSid: ACCOUNT_SID, to: '+15551230001', toFormatted: '(555) 123-0001', direction: 'outbound-api' });
      expect(call.dateCreated).toBeInstanceOf(Date);
      const recorded = api.requestsFor('calls.create');
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        method: 'POST',
        path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`,
        auth: { username: ACCOUNT_SID, password: AUTH_TOKEN },
        form: {
          To: '+15551230001',
          StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
          MachineDetection: 'DetectMessageEnd',
          AsyncAmd: 'true',
        },
      });
      expect(api.getCall(call.sid)!.resource.date_created as string).toMatch(RFC_2822);
    });

    it('should update a call with TwiML, hang it up, then refuse a redirect', async () => {
      const { sid } = await client.calls.create({ to: '+15551230001', from: '+15559870002', twiml: '<Response/>' });
      api.setCallStatus(sid, 'in-progress');
      const twiml = '<Response><Dial>+15550001111</Dial></Response>';
      expect((await client.calls(sid).update({ twiml })).status).toBe('in-progress');
      const done = await client.calls(sid).update({ status: 'completed' });
      expect(done.status).toBe('completed');
      expect(done.endTime).toBeInstanceOf(Date);
      expect(api.getCall(sid)!.updates).toEqual([{ Twiml: twiml }, { Status: 'completed' }]);
      expect((await client.calls(sid).fetch()).status).toBe('completed');
      await expect(client.calls(sid).update({ url: 'https://voice.example.com/x' })).rejects.toMatchObject({ status: 400, code: 21220 });
    });

    it('should answer 404 with code 20404 for an unknown call', async () => {
      await expect(client.calls(`CA${'0'.repeat(32)}`).fetch()).rejects.toMatchObject({
        status: 404,
        code: 20404,
        moreInfo: 'https://www.twilio.com/docs/errors/20404',
      });
    });
  });

  describe('messages', () => {
    it('should send a message and count segments by encoding', async () => {
      const long = await client.messages.create({ to: '+15551230001', from: '+15559870002', body: 'a'.repeat(161) });
      expect(long).toMatchObject({ status: 'queued', numSegments: '2', direction: 'outbound-api', body: 'a'.repeat(161) });
      expect(long.sid).toMatch(/^SM[0-9a-f]{32}$/);
      const unicode = await client.messages.create({ to: '+15551230001', from: '+15559870002', body: 'é👍'.repeat(24) });
      expect(unicode.numSegments).toBe('2'); // 72 UTF-16 units > 70
      expect((await client.messages(long.sid).fetch()).body).toBe('a'.repeat(161));
      expect(api.requestsFor('messages.create')[0].form).toMatchObject({ Body: 'a'.repeat(161) });
    });

    it('should count GSM-7 and UCS-2 segments like Twilio', () => {
      expect(countSmsSegments('a'.repeat(160)).segments).toBe(1);
      expect(countSmsSegments('a'.repeat(307)).segments).toBe(3);
      expect(countSmsSegments('{'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
      expect(countSmsSegments('ш'.repeat(70))).toMatchObject({ encoding: 'UCS-2', segments: 1 });
      expect(countSmsSegments('ш'.repeat(135)).segments).toBe(3);
    });

    it('should reject a message without a body with code 21602', async () => {
      await expect(client.messages.create({ to: '+15551230001', from: '+15559870002' })).rejects.toMatchObject({ code: 21602 });
    });
  });

  describe('incomingPhoneNumbers', () => {
    it('should list by number, then keep an update visible to later fetches', async () => {
      const seeded = api.addNumber({ phoneNumber: '+15557654321' });
      api.addNumber({ phoneNumber: '+15550000000' });
      const found = await client.incomingPhoneNumbers.list({ phoneNumber: '+15557654321' });
      expect(found.map((n) => n.sid)).toEqual([seeded.sid]);
      expect(api.lastRequest('incomingPhoneNumbers.list')!.query.PhoneNumber).toBe('+15557654321');

      const updated = await client.incomingPhoneNumbers(seeded.sid as string).update({
        voiceUrl: 'https://voice.example.com/api/webhooks/twilio/voice',
        voiceMethod: 'POST',
        statusCallback: 'https://voice.example.com/api/webhooks/twilio/voice/status',
        smsUrl: 'https://voice.example.com/api/webhooks/twilio/sms',
      });
      expect(updated.voiceUrl).toBe('https://voice.example.com/api/webhooks/twilio/voice');
      const fetched = await client.incomingPhoneNumbers(seeded.sid as string).fetch();
      expect(fetched).toMatchObject({
        phoneNumber: '+15557654321',
        voiceUrl: 'https://voice.example.com/api/webhooks/twilio/voice',
        voiceMethod: 'POST',
        statusCallback: 'https://voice.example.com/api/webhooks/twilio/voice/status',
        smsUrl: 'https://voice.example.com/api/webhooks/twilio/sms',
      });
    });

    it('should page through the list with next_page_uri', async () => {
      for (let i = 0; i < 5; i++) api.addNumber({ phoneNumber: `+1555111000${i}` });
      const all = await client.incomingPhoneNumbers.list({ phoneNumber: '+1555111000*', pageSize: 2 });
      expect(all.map((n) => n.phoneNumber)).toEqual(['+15551110000', '+15551110001', '+15551110002', '+15551110003', '+15551110004']);
      expect(api.requestsFor('incomingPhoneNumbers.list')).toHaveLength(3);
    });
  });

  describe('auth and faults', () => {
    it('should answer wrong credentials with 401 and code 20003', async () => {
      const bad = createRedirectedTwilioClient(api.baseUrl, ACCOUNT_SID, 'wrong-token');
      const err = await bad.calls.create({ to: '+15551230001', from: '+15559870002', url: 'https://x.example.com' }).catch((e) => e);
      expect(err).toBeInstanceOf(twilio.RestException);
      expect(err).toMatchObject({ status: 401, code: 20003, message: 'Authenticate', moreInfo: 'https://www.twilio.com/docs/errors/20003' });
      expect(api.requestsFor('calls.create').map((r) => r.status)).toEqual([401]);
    });

    it('should not expose one account to another account credentials', async () => {
      const { sid } = await client.messages.create({ to: '+15551230001', from: '+15559870002', body: 'hi' });
      const other = createRedirectedTwilioClient(api.baseUrl, OTHER_SID, 'other-token');
      await expect(other.messages(sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    });

    it('should fail the next request with the injected Twilio error', async () => {
      api.failNext('messages.create', { status: 429, code: 20429, message: 'Too Many Requests' });
      const err = await client.messages.create({ to: '+15551230001', from: '+15559870002', body: 'hi' }).catch((e) => e);
      expect(err).toBeInstanceOf(twilio.RestException);
      expect(err).toMatchObject({ status: 429, code: 20429, message: 'Too Many Requests' });
      await expect(client.messages.create({ to: '+15551230001', from: '+15559870002', body: 'hi' })).resolves.toMatchObject({ status: 'queued' });
      expect(api.requestsFor('messages.create').map((r) => r.status)).toEqual([429, 201]);
    });

    it('should fail only the n-th request with failOnNth', async () => {
      api.failOnNth('calls.create', 2, { status: 500, code: 20500, message: 'Internal Server Error' });
      const create = () => client.calls.create({ to: '+15551230001', from: '+15559870002', url: 'https://x.example.com' });
      await expect(create()).resolves.toBeDefined();
      await expect(create()).rejects.toMatchObject({ status: 500, code: 20500 });
      await expect(create()).resolves.toBeDefined();
    });

    it('should delay a request long enough to trip a client timeout', async () => {
      api.delayNext('calls.fetch', 400);
      const impatient = createRedirectedTwilioClient(api.baseUrl, ACCOUNT_SID, AUTH_TOKEN, { timeout: 100 });
      const { sid } = await client.calls.create({ to: '+15551230001', from: '+15559870002', url: 'https://x.example.com' });
      await expect(impatient.calls(sid).fetch()).rejects.toThrow(/timeout/i);
      await expect(impatient.calls(sid).fetch()).resolves.toMatchObject({ sid });
    });
  });
});
