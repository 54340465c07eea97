import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import { type WebSocket, WebSocketServer } from 'ws';
import { rawDataToString } from '../ws-raw-data.js';
import { type MediaStreamSession } from './media-stream-session.js';
import { generateMulawTone, silence } from './mulaw-audio.js';
import { MediaStreamHandshakeError, TwilioCallSimulator } from './twilio-call-simulator.js';
import { waitFor } from '../../support/wait-for.js';

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'sim-auth-token';
const PUBLIC_BASE_URL = 'https://voice.example.com';
const STREAM_URL = 'wss://voice.example.com/media-stream';
const RFC_2822 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

const TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://voice.example.com/api/webhooks/twilio/voice/after">' +
  `<Stream url="${STREAM_URL}" statusCallback="https://voice.example.com/api/webhooks/twilio/stream-status">` +
  '<Parameter name="sessionToken" value="tok-123"/><Parameter name="tenantId" value="t-9"/></Stream></Connect></Response>';

interface ReceivedWebhook {
  path: string;
  params: Record<string, string | string[]>;
  headers: http.IncomingHttpHeaders;
  valid: boolean;
}

/** A Media Streams message as the app receives it; `media` and `start` are there on those events. */
interface StreamMessage {
  event: string;
  media: { track?: string; chunk: string; timestamp: string; payload: string };
  start: { callSid: string; customParameters: Record<string, string> };
  [key: string]: unknown;
}

interface StreamConnection {
  ws: WebSocket;
  messages: Array<{ at: number; msg: StreamMessage }>;
  closed: Promise<number>;
}

/** The app side, verifying with the OFFICIAL validator over the public URL (docs/protocols.md §1.3, §1.4). */
class TinyTwilioApp extends EventEmitter {
  readonly webhooks: ReceivedWebhook[] = [];
  readonly connections: StreamConnection[] = [];
  baseUrl = '';
  private readonly server = http.createServer((req, res) => this.onHttp(req, res));
  private readonly wss = new WebSocketServer({
    server: this.server,
    path: '/media-stream',
    verifyClient: (info, done) => {
      const sig = info.req.headers['x-twilio-signature'];
      const ok = typeof sig === 'string' && twilio.validateRequest(AUTH_TOKEN, sig, STREAM_URL, {});
      if (ok) done(true);
      else done(false, 403, 'Forbidden');
    },
  });

  async start(): Promise<void> {
    this.wss.on('connection', (ws) => {
      const conn: StreamConnection = {
        ws,
        messages: [],
        closed: new Promise((resolve) => ws.on('close', (code) => resolve(code))),
      };
      ws.on('message', (data) => conn.messages.push({ at: performance.now(), msg: JSON.parse(rawDataToString(data)) as StreamMessage }));
      this.connections.push(conn);
      this.emit('connection', conn);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  nextConnection(): Promise<StreamConnection> {
    return new Promise((resolve) => this.once('connection', resolve));
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString())) {
        const prev = params[k];
        params[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
      }
      const sig = req.headers['x-twilio-signature'];
      const valid = typeof sig === 'string' && twilio.validateRequest(AUTH_TOKEN, sig, PUBLIC_BASE_URL + req.url, params);
      this.webhooks.push({ path: req.url ?? '', params, headers: req.headers, valid });
      if (!valid) {
        res.writeHead(403).end();
      } else if (req.url === '/api/webhooks/twilio/voice') {
        res.writeHead(200, { 'Content-Type': 'text/xml' }).end(TWIML);
      } else {
        res.writeHead(204).end();
      }
    });
  }
}

const media = (conn: StreamConnection) => conn.messages.filter((m) => m.msg.event === 'media');

describe(TwilioCallSimulator.name, () => {
  const app = new TinyTwilioApp();
  const sessions: MediaStreamSession[] = [];
  const newCall = () =>
    new TwilioCallSimulator({
      appBaseUrl: app.baseUrl,
      publicBaseUrl: PUBLIC_BASE_URL,
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: '+15551230001',
      to: '+15559870002',
    });
  const open = async (call: TwilioCallSimulator, opts: Partial<Parameters<TwilioCallSimulator['openMediaStream']>[0]> = {}) => {
    const connection = app.nextConnection();
    const session = await call.openMediaStream({ streamUrl: STREAM_URL, parameters: { sessionToken: 'x' }, ...opts });
    sessions.push(session);
    const conn = await connection;
    await waitFor(() => conn.messages.length >= 2);
    return { session, conn };
  };

  beforeAll(() => app.start());
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.hangUp()));
  });
  afterAll(() => app.stop());

  describe('sendVoiceWebhook', () => {
    it('should post Twilio params signed over the public URL and parse the TwiML', async () => {
      const call = newCall();
      const result = await call.sendVoiceWebhook(undefined, { StirVerstat: 'TN-Validation-Passed-A' });

      expect(result.status).toBe(200);
      const hook = app.webhooks.at(-1)!;
      expect(hook.valid).toBe(true);
      expect(hook.path).toBe('/api/webhooks/twilio/voice');
      expect(hook.params).toMatchObject({
        CallSid: call.callSid,
        AccountSid: ACCOUNT_SID,
        From: '+15551230001',
        To: '+15559870002',
        Caller: '+15551230001',
        Called: '+15559870002',
        CallStatus: 'ringing',
        Direction: 'inbound',
        ApiVersion: '2010-04-01',
        FromCountry: 'US',
        StirVerstat: 'TN-Validation-Passed-A',
      });
      expect(call.callSid).toMatch(/^CA[0-9a-f]{32}$/);
      expect(hook.headers['i-twilio-idempotency-token']).toBe(result.idempotencyToken);
      expect(hook.headers['content-type']).toContain('application/x-www-form-urlencoded');
      // Signed over the public URL, so the URL the app is really reached at does not validate.
      const sig = hook.headers['x-twilio-signature'] as string;
      expect(twilio.validateRequest(AUTH_TOKEN, sig, app.baseUrl + hook.path, hook.params)).toBe(false);
      expect(result.twiml?.connect).toMatchObject({
        action: 'https://voice.example.com/api/webhooks/twilio/voice/after',
        stream: { url: STREAM_URL, parameters: { sessionToken: 'tok-123', tenantId: 't-9' } },
      });
      expect(result.twiml?.raw).toBe(TWIML);
    });
  });

  describe('postSigned', () => {
    it('should let tests tamper with body, token, signature and signed URL', async () => {
      const call = newCall();
      const params = call.baseCallParams();
      expect((await call.postSigned('/hook', params)).status).toBe(204);
      expect((await call.postSigned('/hook', params, { unsignedParams: { Digits: '1' } })).status).toBe(403);
      expect((await call.postSigned('/hook', params, { authToken: 'wrong' })).status).toBe(403);
      expect((await call.postSigned('/hook', params, { signature: null })).status).toBe(403);
      expect((await call.postSigned('/hook', params, { signatureUrl: 'http://voice.example.com/hook' })).status).toBe(403);
      expect((await call.postSigned('https://voice.example.com/hook?x=1', params)).status).toBe(204);
      expect(app.webhooks.at(-1)).toMatchObject({ path: '/hook?x=1', valid: true });
    });

    it('should sign repeated keys the way the SDK does', async () => {
      const result = await newCall().postSigned('/hook', { A: ['2', '1'], B: 'x' });
      expect(result.status).toBe(204);
      expect(app.webhooks.at(-1)!.params.A).toEqual(['2', '1']);
    });
  });

  describe('callbacks', () => {
    it('should send signed status callbacks with an increasing SequenceNumber', async () => {
      const call = newCall();
      await call.sendStatusCallback('in-progress');
      await call.sendStatusCallback('completed');
      const hooks = app.webhooks.slice(-2);
      expect(hooks.every((h) => h.valid && h.path === '/api/webhooks/twilio/voice/status')).toBe(true);
      expect(hooks.map((h) => h.params.SequenceNumber)).toEqual(['0', '1']);
      expect(hooks[1].params).toMatchObject({ CallStatus: 'completed', CallbackSource: 'call-progress-events', CallDuration: '0' });
      expect(hooks[1].params.Timestamp).toMatch(RFC_2822);
      expect(hooks[0].params.CallDuration).toBeUndefined();
    });

    it('should send stream status to the TwiML statusCallback and recording status', async () => {
      const call = newCall();
      await call.sendVoiceWebhook();
      const { session } = await open(call);
      await call.sendStreamStatus('stream-started');
      expect(app.webhooks.at(-1)).toMatchObject({
        path: '/api/webhooks/twilio/stream-status',
        valid: true,
        params: { StreamEvent: 'stream-started', StreamSid: session.streamSid, CallSid: call.callSid },
      });
      await call.sendRecordingStatus({ RecordingDuration: '7' });
      expect(app.webhooks.at(-1)).toMatchObject({ valid: true, params: { RecordingStatus: 'completed', RecordingDuration: '7' } });
    });
  });

  describe('openMediaStream', () => {
    it('should sign the wss:// URL and send connected then start exactly as Twilio', async () => {
      const call = newCall();
      const { session, conn } = await open(call, { parameters: { sessionToken: 'tok-123' } });
      expect(conn.messages[0].msg).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      expect(conn.messages[1].msg).toEqual({
        event: 'start',
        sequenceNumber: '1',
        streamSid: session.streamSid,
        start: {
          streamSid: session.streamSid,
          accountSid: ACCOUNT_SID,
          callSid: call.callSid,
          tracks: ['inbound'],
          customParameters: { sessionToken: 'tok-123' },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
      expect(session.streamSid).toMatch(/^MZ[0-9a-f]{32}$/);
    });

    it('should be refused when unsigned or signed over the https:// URL', async () => {
      const call = newCall();
      await expect(call.openMediaStream({ streamUrl: STREAM_URL, sign: false })).rejects.toMatchObject({ statusCode: 403 });
      const wrong = call.openMediaStream({ streamUrl: STREAM_URL, signatureUrl: 'https://voice.example.com/media-stream' });
      await expect(wrong).rejects.toBeInstanceOf(MediaStreamHandshakeError);
    });

    it('should send media, dtmf and stop with sequence numbers, chunks and timestamps', async () => {
      const { session, conn } = await open(newCall());
      session.sendMedia(silence(20).toString('base64'));
      session.sendMedia(silence(20).toString('base64'));
      session.sendDtmf('5');
      const closed = await session.stop();
      await waitFor(() => conn.messages.length >= 6);
      const [m1, m2, dtmf, stop] = conn.messages.slice(2).map((m) => m.msg);
      expect(m1).toMatchObject({ event: 'media', sequenceNumber: '2', streamSid: session.streamSid, media: { track: 'inbound', chunk: '1' } });
      expect(m2).toMatchObject({ sequenceNumber: '3', media: { chunk: '2' } });
      expect(m1.media.timestamp).toMatch(/^\d+$/);
      expect(Buffer.from(m1.media.payload, 'base64')).toEqual(silence(20));
      expect(dtmf).toEqual({ event: 'dtmf', streamSid: session.streamSid, sequenceNumber: '4', dtmf: { track: 'inbound_track', digit: '5' } });
      expect(stop).toEqual({
        event: 'stop',
        sequenceNumber: '5',
        streamSid: session.streamSid,
        stop: { accountSid: session.accountSid, callSid: session.callSid },
      });
      expect(closed.code).toBe(1000);
      expect(await conn.closed).toBe(1000);
    });

    it('should pace streamAudio at 20 ms per 160-byte frame without drift', async () => {
      const { session, conn } = await open(newCall());
      const started = performance.now();
      const sent = await session.streamAudio(generateMulawTone(300, 440));
      const elapsed = performance.now() - started;
      expect(sent).toBe(15);
      await waitFor(() => media(conn).length === 15);
      const frames = media(conn);
      expect(frames.map((f) => f.msg.media.chunk)).toEqual(Array.from({ length: 15 }, (_, i) => String(i + 1)));
      expect(frames.every((f) => Buffer.from(f.msg.media.payload, 'base64').length === 160)).toBe(true);
      // Frame 15 leaves at t0 + 280 ms or later (the sender's clock, carried in its timestamp), and
      // timer lateness must not accumulate. Arrival times are not asserted from below: a late first
      // frame arrives closer to the next ones, which says nothing about the pacing. Node's timers
      // run on a millisecond loop clock and may fire up to ~1 ms early: 2 ms of slack.
      const t0 = started - session.startedAt;
      expect(Number(frames[14].msg.media.timestamp)).toBeGreaterThanOrEqual(Math.floor(t0 + 280) - 2);
      expect(elapsed).toBeGreaterThanOrEqual(275);
      expect(elapsed).toBeLessThan(340);
    });

    it('should echo a mark only after the audio queued before it has played', async () => {
      const { session, conn } = await open(newCall());
      const sentAt = performance.now();
      conn.ws.send(JSON.stringify({ event: 'media', streamSid: session.streamSid, media: { payload: silence(200).toString('base64') } }));
      conn.ws.send(JSON.stringify({ event: 'mark', streamSid: session.streamSid, mark: { name: 'greeting-done' } }));
      await waitFor(() => conn.messages.some((m) => m.msg.event === 'mark'));
      const echo = conn.messages.find((m) => m.msg.event === 'mark')!;
      expect(echo.at - sentAt).toBeGreaterThanOrEqual(185);
      expect(echo.msg).toEqual({ event: 'mark', sequenceNumber: '2', streamSid: session.streamSid, mark: { name: 'greeting-done' } });
      expect(session.received).toMatchObject({ media: 1, bytes: 1600, marks: 1, marksEchoed: 1 });

      // Nothing buffered any more: the next mark comes straight back.
      const t = performance.now();
      conn.ws.send(JSON.stringify({ event: 'mark', streamSid: session.streamSid, mark: { name: 'now' } }));
      await session.waitFor((s) => s.echoedMarks.includes('now'));
      expect(performance.now() - t).toBeLessThan(100);
    });

    it('should drop buffered audio and return pending marks at once on clear', async () => {
      const { session, conn } = await open(newCall(), { session: { recordMedia: false } });
      conn.ws.send(JSON.stringify({ event: 'media', streamSid: session.streamSid, media: { payload: silence(2000).toString('base64') } }));
      conn.ws.send(JSON.stringify({ event: 'mark', streamSid: session.streamSid, mark: { name: 'long' } }));
      await session.waitFor((s) => s.received.marks === 1);
      expect(session.bufferedPlaybackMs()).toBeGreaterThan(1500);
      const clearedAt = performance.now();
      conn.ws.send(JSON.stringify({ event: 'clear', streamSid: session.streamSid }));
      await session.waitFor((s) => s.echoedMarks.includes('long'), 1000);
      expect(performance.now() - clearedAt).toBeLessThan(300);
      expect(session.received.clears).toBe(1);
      expect(session.received.clearedMs).toBeGreaterThan(1500);
      expect(session.bufferedPlaybackMs()).toBe(0);
      expect(session.receivedPayloads).toHaveLength(0);
    });

    it('should call onMedia with the payload and an hrtime stamp', async () => {
      const seen: Array<[string, bigint]> = [];
      const { session, conn } = await open(newCall(), { session: { onMedia: (p, at) => seen.push([p, at]) } });
      const payload = generateMulawTone(20, 300).toString('base64');
      conn.ws.send(JSON.stringify({ event: 'media', streamSid: session.streamSid, media: { payload } }));
      await session.waitFor((s) => s.received.media === 1);
      expect(seen).toHaveLength(1);
      expect(seen[0][0]).toBe(payload);
      expect(typeof seen[0][1]).toBe('bigint');
      expect(session.receivedAudio()).toEqual(Buffer.from(payload, 'base64'));
    });

    it('should report server closes and abrupt hang-ups', async () => {
      const first = await open(newCall());
      const pending = first.session.waitFor((s) => s.received.media > 0, 2000);
      first.conn.ws.close(1008, 'policy');
      await expect(pending).rejects.toThrow(/closed/);
      expect(await first.session.closed).toEqual({ code: 1008, reason: 'policy' });
      expect(first.session.closeCode).toBe(1008);

      const second = await open(newCall());
      await second.session.hangUp();
      expect(await second.conn.closed).toBe(1006);
    });

    it('should reject waitFor on timeout', async () => {
      const { session } = await open(newCall());
      await expect(session.waitFor((s) => s.received.media > 0, 50)).rejects.toThrow(/timed out/);
    });
  });

  describe('placeCall', () => {
    it('should follow the TwiML into a signed stream carrying its parameters', async () => {
      const call = newCall();
      const connection = app.nextConnection();
      const session = await call.placeCall();
      sessions.push(session);
      const conn = await connection;
      await waitFor(() => conn.messages.length >= 2);
      expect(conn.messages[1].msg.start.customParameters).toEqual({ sessionToken: 'tok-123', tenantId: 't-9' });
      expect(conn.messages[1].msg.start.callSid).toBe(call.callSid);
      expect(call.lastTwiml?.connect?.action).toBe('https://voice.example.com/api/webhooks/twilio/voice/after');
      const action = await call.requestAction();
      expect(action.status).toBe(204);
      expect(app.webhooks.at(-1)).toMatchObject({ path: '/api/webhooks/twilio/voice/after', valid: true });
    });
  });
});
