// One phone call as Twilio would make it: signed voice/status webhooks (docs/protocols.md §1, §3) and a
// signed Media Streams WebSocket (§1.5, §2). Signatures are computed over the PUBLIC URL Twilio
// believes it calls, while requests go to the app's real address, as behind a load balancer.
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { MediaStreamSession, type MediaStreamSessionOptions } from './media-stream-session.js';
import { parseTwiml, type ParsedTwiml } from './twiml-parser.js';
import { encodeForm, formatRfc2822, newTwilioSid, sendHttpRequest, signTwilioRequest, TWILIO_API_VERSION, type TwilioParams } from './twilio-wire.js';

export type TwilioCallStatus = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';

export interface TwilioCallSimulatorPaths {
  voice: string;
  status: string;
  streamStatus: string;
  recordingStatus: string;
}

export interface TwilioCallSimulatorOptions {
  /** Where requests really go, e.g. 'http://127.0.0.1:3000'. */
  appBaseUrl: string;
  /** Origin Twilio believes it calls (signatures cover it), e.g. 'https://voice.example.com'. */
  publicBaseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  to: string;
  callSid?: string;
  direction?: 'inbound' | 'outbound-api' | 'outbound-dial';
  /** Geo params (FromCountry, ToCity...) added to every call webhook; override or blank them here. */
  geo?: Record<string, string>;
  paths?: Partial<TwilioCallSimulatorPaths>;
  timeoutMs?: number;
}

export interface PostSignedOptions {
  /** Sign over this URL instead of the public URL of the request. */
  signatureUrl?: string;
  /** Send this header value as-is; `null` omits the header. */
  signature?: string | null;
  /** Sign with another token (e.g. a wrong one). */
  authToken?: string;
  /** Added to the body AFTER signing (tampering). */
  unsignedParams?: Record<string, string>;
  headers?: Record<string, string>;
  method?: 'POST' | 'GET';
}

export interface WebhookResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Parsed when the body looks like XML; see `twimlError` when it does not parse. */
  twiml?: ParsedTwiml;
  twimlError?: string;
  params: TwilioParams;
  signature?: string;
  idempotencyToken: string;
}

export interface OpenMediaStreamOptions {
  /** `<Stream url>` from the TwiML (wss://public-host/path); relative URLs resolve against the public origin. */
  streamUrl: string;
  parameters?: Record<string, string>;
  /** Send `x-twilio-signature` (default true). */
  sign?: boolean;
  /** Sign over this URL instead of `streamUrl`. */
  signatureUrl?: string;
  authToken?: string;
  headers?: Record<string, string>;
  /** Send connected + start right after the upgrade (default true). */
  autoStart?: boolean;
  session?: Omit<MediaStreamSessionOptions, 'accountSid' | 'callSid' | 'customParameters'>;
  handshakeTimeoutMs?: number;
}

export class MediaStreamHandshakeError extends Error {
  constructor(
    readonly statusCode: number | undefined,
    readonly body: string,
    message: string,
  ) {
    super(message);
    this.name = 'MediaStreamHandshakeError';
  }
}

const DEFAULT_PATHS: TwilioCallSimulatorPaths = {
  voice: '/api/webhooks/twilio/voice',
  status: '/api/webhooks/twilio/voice/status',
  streamStatus: '/api/webhooks/twilio/stream/status',
  recordingStatus: '/api/webhooks/twilio/voice/recording',
};

const TERMINAL_STATUSES = new Set<TwilioCallStatus>(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

export class TwilioCallSimulator {
  readonly callSid: string;
  readonly paths: TwilioCallSimulatorPaths;
  /** Set by `openMediaStream`; used by `sendStreamStatus`. */
  streamSid?: string;
  lastTwiml?: ParsedTwiml;
  private statusSequence = 0;
  private readonly startedAt = Date.now();
  private readonly publicOrigin: string;

  constructor(readonly options: TwilioCallSimulatorOptions) {
    this.callSid = options.callSid ?? newTwilioSid('CA');
    this.paths = { ...DEFAULT_PATHS, ...options.paths };
    this.publicOrigin = options.publicBaseUrl.replace(/\/+$/, '');
  }

  /** The parameters Twilio puts on every call webhook (docs/protocols.md §3.1). */
  baseCallParams(): Record<string, string> {
    const { accountSid, from, to } = this.options;
    return {
      AccountSid: accountSid,
      ApiVersion: TWILIO_API_VERSION,
      CallSid: this.callSid,
      Called: to,
      Caller: from,
      Direction: this.options.direction ?? 'inbound',
      From: from,
      To: to,
      ...defaultGeo(),
      ...this.options.geo,
    };
  }

  /** The incoming-call webhook; returns the response with its TwiML parsed. */
  async sendVoiceWebhook(path = this.paths.voice, extraParams: Record<string, string> = {}): Promise<WebhookResult> {
    const inbound = (this.options.direction ?? 'inbound') === 'inbound';
    // Twilio adds a CallToken to incoming calls (used to forward with the original caller ID).
    const params = { ...this.baseCallParams(), CallStatus: 'ringing', ...(inbound ? { CallToken: randomUUID() } : {}), ...extraParams };
    const result = await this.postSigned(path, params);
    if (result.twiml) this.lastTwiml = result.twiml;
    return result;
  }

  /** Call progress callback (docs/protocols.md §3.2). SequenceNumber counts from 0 per call. */
  async sendStatusCallback(status: TwilioCallStatus, extra: Record<string, string> = {}, path = this.paths.status) {
    const params: Record<string, string> = {
      ...this.baseCallParams(),
      CallStatus: status,
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(this.statusSequence++),
      Timestamp: formatRfc2822(),
    };
    if (TERMINAL_STATUSES.has(status)) {
      const seconds = status === 'completed' ? Math.round((Date.now() - this.startedAt) / 1000) : 0;
      params.CallDuration = String(seconds);
      if (status === 'completed') params.Duration = String(Math.max(1, Math.ceil(seconds / 60)));
    }
    return this.postSigned(path, { ...params, ...extra });
  }

  /**
   * `<Stream statusCallback>` (docs/protocols.md §2.1). Goes to the callback from the last TwiML when it
   * had one, else to `paths.streamStatus`.
   */
  async sendStreamStatus(event: 'stream-started' | 'stream-stopped' | 'stream-error', extra: Record<string, string> = {}, pathOrUrl?: string) {
    const streamSid = this.streamSid ?? newTwilioSid('MZ');
    const params: Record<string, string> = {
      AccountSid: this.options.accountSid,
      CallSid: this.callSid,
      StreamSid: streamSid,
      StreamName: this.lastTwiml?.connect?.stream?.name ?? streamSid,
      StreamEvent: event,
      Timestamp: new Date().toISOString(),
      ...(event === 'stream-error' ? { StreamError: 'Stream error' } : {}),
      ...extra,
    };
    return this.postSigned(pathOrUrl ?? this.lastTwiml?.connect?.stream?.statusCallback ?? this.paths.streamStatus, params);
  }

  /** Recording status callback (docs/protocols.md §3.3). */
  async sendRecordingStatus(extra: Record<string, string> = {}, path = this.paths.recordingStatus) {
    const recordingSid = extra.RecordingSid ?? newTwilioSid('RE');
    const params: Record<string, string> = {
      AccountSid: this.options.accountSid,
      CallSid: this.callSid,
      RecordingSid: recordingSid,
      RecordingUrl: `https://api.twilio.com/${TWILIO_API_VERSION}/Accounts/${this.options.accountSid}/Recordings/${recordingSid}`,
      RecordingStatus: 'completed',
      RecordingDuration: '12',
      RecordingChannels: '1',
      RecordingStartTime: formatRfc2822(new Date(this.startedAt)),
      RecordingSource: 'OutboundAPI',
      RecordingTrack: 'both',
      ...extra,
    };
    return this.postSigned(path, params);
  }

  /** Requests `<Connect action>` (or `<Dial action>` with `which: 'dial'`) as Twilio does after the verb ends. */
  async requestAction(extra: Record<string, string> = {}, which: 'connect' | 'dial' = 'connect') {
    const action = which === 'connect' ? this.lastTwiml?.connect?.action : this.lastTwiml?.dial?.action;
    if (!action) throw new Error(`Last TwiML has no <${which === 'connect' ? 'Connect' : 'Dial'} action>`);
    const result = await this.postSigned(action, { ...this.baseCallParams(), CallStatus: 'in-progress', ...extra });
    if (result.twiml) this.lastTwiml = result.twiml;
    return result;
  }

  /**
   * Sends a signed webhook. `pathOrUrl` is a path on the public origin or an absolute public URL;
   * the signature covers that public URL and the request goes to the same path on `appBaseUrl`.
   */
  async postSigned(pathOrUrl: string, params: TwilioParams, opts: PostSignedOptions = {}): Promise<WebhookResult> {
    const publicUrl = this.toPublicUrl(pathOrUrl, 'https');
    const method = opts.method ?? 'POST';
    const signedUrl = method === 'GET' ? appendQuery(publicUrl, params) : publicUrl;
    const signature =
      opts.signature === undefined
        ? signTwilioRequest(opts.authToken ?? this.options.authToken, opts.signatureUrl ?? signedUrl, method === 'GET' ? {} : params)
        : (opts.signature ?? undefined);
    const sentParams: TwilioParams = { ...params, ...opts.unsignedParams };
    const idempotencyToken = `${this.callSid}-${randomUUID()}`;
    const headers: Record<string, string> = {
      Accept: '*/*',
      'User-Agent': 'TwilioProxy/1.1',
      'I-Twilio-Idempotency-Token': idempotencyToken,
      'X-Home-Region': 'us1',
      ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
      ...(signature !== undefined ? { 'X-Twilio-Signature': signature } : {}),
      ...opts.headers,
    };
    const target = this.toAppUrl(method === 'GET' ? appendQuery(publicUrl, sentParams) : publicUrl);
    const res = await sendHttpRequest(target, {
      method,
      headers,
      body: method === 'POST' ? encodeForm(sentParams) : undefined,
      timeoutMs: this.options.timeoutMs,
    });
    const result: WebhookResult = { status: res.status, headers: res.headers, body: res.body, params: sentParams, signature, idempotencyToken };
    const contentType = String(res.headers['content-type'] ?? '');
    if (contentType.includes('xml') || res.body.trimStart().startsWith('<')) {
      try {
        result.twiml = parseTwiml(res.body);
      } catch (err) {
        result.twimlError = (err as Error).message;
      }
    }
    return result;
  }

  /**
   * Opens the Media Stream as Twilio does: connects to the app's real address but signs the
   * public wss:// URL, GET with no params (docs/protocols.md §1.4). Rejects with MediaStreamHandshakeError
   * when the upgrade is refused.
   */
  async openMediaStream(opts: OpenMediaStreamOptions): Promise<MediaStreamSession> {
    const publicUrl = this.toPublicUrl(opts.streamUrl, 'wss');
    const headers: Record<string, string> = { 'User-Agent': 'Twilio.TmeWs/1.0', ...opts.headers };
    if (opts.sign ?? true) {
      headers['x-twilio-signature'] = signTwilioRequest(opts.authToken ?? this.options.authToken, opts.signatureUrl ?? publicUrl, {});
    }
    const ws = new WebSocket(this.toAppUrl(publicUrl), {
      headers,
      perMessageDeflate: false,
      handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000,
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        reject(err);
      };
      ws.once('open', () => {
        ws.removeAllListeners();
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          fail(new MediaStreamHandshakeError(res.statusCode, body, `Media stream upgrade refused: HTTP ${res.statusCode}`));
          ws.terminate();
        });
      });
      ws.once('error', (err) => fail(new MediaStreamHandshakeError(undefined, '', `Media stream connect failed: ${err.message}`)));
    });
    const session = new MediaStreamSession(ws, {
      ...opts.session,
      accountSid: this.options.accountSid,
      callSid: this.callSid,
      customParameters: opts.parameters ?? {},
    });
    this.streamSid = session.streamSid;
    if (opts.autoStart ?? true) session.start();
    return session;
  }

  /** Voice webhook → TwiML `<Connect><Stream>` → signed WebSocket with its `<Parameter>`s. */
  async placeCall(
    opts: { voicePath?: string; extraParams?: Record<string, string>; stream?: Omit<OpenMediaStreamOptions, 'streamUrl' | 'parameters'> } = {},
  ): Promise<MediaStreamSession> {
    const voice = await this.sendVoiceWebhook(opts.voicePath, opts.extraParams);
    const stream = voice.twiml?.connect?.stream;
    if (voice.status !== 200 || !stream?.url) {
      throw new Error(`Voice webhook did not return <Connect><Stream>: HTTP ${voice.status} ${voice.twimlError ?? ''} ${voice.body.slice(0, 500)}`);
    }
    return this.openMediaStream({ ...opts.stream, streamUrl: stream.url, parameters: stream.parameters });
  }

  private toPublicUrl(pathOrUrl: string, scheme: 'https' | 'wss'): string {
    if (/^[a-z]+:\/\//i.test(pathOrUrl)) return pathOrUrl;
    const origin = scheme === 'wss' ? this.publicOrigin.replace(/^http/i, 'ws') : this.publicOrigin;
    return origin + (pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`);
  }

  /** Same path and query on the app's real address; ws(s) for WebSocket URLs. */
  private toAppUrl(publicUrl: string): string {
    const u = new URL(publicUrl);
    const app = new URL(this.options.appBaseUrl);
    const isWs = u.protocol === 'wss:' || u.protocol === 'ws:';
    const protocol = isWs ? app.protocol.replace('http', 'ws') : app.protocol;
    const basePath = app.pathname.replace(/\/+$/, '');
    return `${protocol}//${app.host}${basePath}${u.pathname}${u.search}`;
  }
}

/** Standalone convenience: build a simulator and place the call. */
export async function placeCall(
  options: TwilioCallSimulatorOptions & { voicePath?: string; extraParams?: Record<string, string> },
): Promise<{ call: TwilioCallSimulator; session: MediaStreamSession }> {
  const call = new TwilioCallSimulator(options);
  const session = await call.placeCall({ voicePath: options.voicePath, extraParams: options.extraParams });
  return { call, session };
}

function appendQuery(url: string, params: TwilioParams): string {
  const query = encodeForm(params);
  if (!query) return url;
  return url + (url.includes('?') ? '&' : '?') + query;
}

function defaultGeo(): Record<string, string> {
  const geo: Record<string, string> = {};
  for (const side of ['From', 'To', 'Caller', 'Called']) {
    geo[`${side}City`] = 'SAN FRANCISCO';
    geo[`${side}State`] = 'CA';
    geo[`${side}Zip`] = '94105';
    geo[`${side}Country`] = 'US';
  }
  return geo;
}
