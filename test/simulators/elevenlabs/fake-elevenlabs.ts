import { randomBytes } from 'node:crypto';
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { resolveAgentConfig } from './agent-scripts.js';
import { buildConversationDetails, newConversationId } from './conversation-details.js';
import { ConversationSocket } from './conversation-socket.js';
import type {
  AgentConfig,
  ConversationRecord,
  FakeElevenLabsOptions,
  FakeFaults,
  JsonObject,
  PostCallWebhookConfig,
  RegisteredCallRecord,
  RejectedConnectionRecord,
  SignedUrlRequestRecord,
  WebhookDeliveryRecord,
} from './fake-elevenlabs-types.js';
import { buildPostCallAudio, buildPostCallTranscription, deliverWebhook } from './post-call-webhook.js';

// A protocol-faithful stand-in for api.elevenlabs.io (Agents Platform): the REST endpoints a backend
// calls and the conversation WebSocket, on one local port. Shapes: docs/protocols.md §4-§5.

export const CONVERSATION_WS_PATH = '/v1/convai/conversation';
const SIGNED_URL_PATHS = new Set(['/v1/convai/conversation/get-signed-url', '/v1/convai/conversation/get_signed_url']);
const REGISTER_CALL_PATH = '/v1/convai/twilio/register-call';
const CONVERSATION_DETAILS_PATH = /^\/v1\/convai\/conversations\/([^/]+)$/;
// Signed URLs expire after 15 minutes (docs-live authentication page, §1.1).
const DEFAULT_SIGNED_URL_TTL_MS = 15 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;

interface SignedToken {
  agentId: string;
  expiresAtMs: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorDetail(status: string, message: string): JsonObject {
  return { detail: { status, message } };
}

function errorBodyFor(httpStatus: number): JsonObject {
  if (httpStatus === 401) return errorDetail('invalid_api_key', 'Invalid API key');
  if (httpStatus === 429) return errorDetail('too_many_concurrent_requests', 'Too many concurrent requests.');
  if (httpStatus >= 500) return errorDetail('internal_error', 'An internal error occurred.');
  return errorDetail('error', `Request failed with status ${httpStatus}.`);
}

function xmlAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('Body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function rejectUpgrade(socket: Duplex, status: number, body: JsonObject): void {
  const text = JSON.stringify(body);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

function newRecord(agentId: string, agent: AgentConfig, query: Record<string, string>, usedSignature: boolean): ConversationRecord {
  return {
    conversationId: newConversationId(),
    agentId,
    agentName: agent.name,
    state: 'connecting',
    status: 'initiated',
    startedAtMs: Date.now(),
    usedSignature,
    query,
    textOnly: false,
    announcedFormats: { user_input_audio_format: 'ulaw_8000', agent_output_audio_format: 'ulaw_8000' },
    receivedMessageCount: 0,
    receivedAudioChunks: 0,
    receivedAudioBytes: 0,
    receivedAudioPayloads: [],
    messages: [],
    sentMessageCount: 0,
    sentAudioChunks: 0,
    sentEvents: [],
    pingsSent: 0,
    pongLatenciesMs: [],
    toolResults: [],
    transcript: [],
    errors: [],
  };
}

export class FakeElevenLabs {
  readonly baseUrl: string;
  readonly wsBaseUrl: string;
  readonly port: number;
  readonly signedUrlRequests: SignedUrlRequestRecord[] = [];
  readonly registeredCalls: RegisteredCallRecord[] = [];
  readonly rejectedConnections: RejectedConnectionRecord[] = [];
  readonly webhookDeliveries: WebhookDeliveryRecord[] = [];
  totalConversations = 0;

  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly apiKeys: Set<string>;
  private readonly agents: Map<string, AgentConfig>;
  private defaultAgent: AgentConfig | undefined;
  private faults: FakeFaults;
  private postCallWebhook: PostCallWebhookConfig | undefined;
  private readonly signedUrlTtlMs: number;
  private readonly tokens = new Map<string, SignedToken>();
  private readonly records = new Map<string, ConversationRecord>();
  private readonly sessions = new Set<ConversationSocket>();
  private readonly sockets = new Set<WebSocket>();
  private readonly delays = new Map<NodeJS.Timeout, () => void>();
  private readonly pendingDeliveries = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;

  private constructor(server: http.Server, wss: WebSocketServer, options: FakeElevenLabsOptions) {
    this.server = server;
    this.wss = wss;
    const address = server.address() as AddressInfo;
    const host = options.host ?? '127.0.0.1';
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.port = address.port;
    this.baseUrl = `http://${urlHost}:${address.port}`;
    this.wsBaseUrl = `ws://${urlHost}:${address.port}`;
    this.apiKeys = new Set(options.apiKeys ?? []);
    this.agents = new Map(Object.entries(options.agents ?? {}));
    this.defaultAgent = options.defaultAgent ?? (this.agents.size === 0 ? { mode: 'echo' } : undefined);
    this.faults = { ...(options.faults ?? {}) };
    this.postCallWebhook = options.postCallWebhook;
    this.signedUrlTtlMs = options.signedUrlTtlMs ?? DEFAULT_SIGNED_URL_TTL_MS;
  }

  static async start(options: FakeElevenLabsOptions = {}): Promise<FakeElevenLabs> {
    const server = http.createServer();
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const fake = new FakeElevenLabs(server, wss, options);
    server.on('request', (req, res) => void fake.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => fake.onUpgrade(req, socket, head));
    return fake;
  }

  // ---- inspection ------------------------------------------------------------------------------

  /** WebSockets currently open (conversations and refused-but-not-yet-closed sockets). */
  get openConversationCount(): number {
    return this.sockets.size;
  }

  get conversations(): ConversationRecord[] {
    return [...this.records.values()];
  }

  getConversation(conversationId: string): ConversationRecord | undefined {
    return this.records.get(conversationId);
  }

  /** The GET /v1/convai/conversations/{id} body for a conversation. */
  conversationDetails(conversationId: string): JsonObject | undefined {
    const record = this.records.get(conversationId);
    return record && buildConversationDetails(record, this.lookupAgent(record.agentId)?.analysis);
  }

  /** Polls until the predicate returns something truthy, and returns it. */
  async waitFor<T>(predicate: (fake: FakeElevenLabs) => T | false | null | undefined, timeoutMs = 2000, intervalMs = 5): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate(this);
      if (value) return value;
      if (Date.now() >= deadline) throw new Error(`FakeElevenLabs.waitFor timed out after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  // ---- runtime control -------------------------------------------------------------------------

  /** Merges faults; HTTP faults apply to the next request, socket faults to the next conversation. */
  setFaults(faults: FakeFaults): void {
    this.faults = { ...this.faults, ...faults };
  }

  clearFaults(): void {
    this.faults = {};
  }

  get currentFaults(): FakeFaults {
    return { ...this.faults };
  }

  setAgent(agentId: string, config: AgentConfig): void {
    this.agents.set(agentId, config);
  }

  setDefaultAgent(config: AgentConfig | undefined): void {
    this.defaultAgent = config;
  }

  setPostCallWebhook(config: PostCallWebhookConfig | undefined): void {
    this.postCallWebhook = config;
  }

  closeConversation(conversationId: string, code = 1000, reason = ''): void {
    this.sessionOf(conversationId).close(code, reason);
  }

  /** Drops the TCP connection without a close frame. */
  terminateConversation(conversationId: string): void {
    this.sessionOf(conversationId).terminate();
  }

  failConversation(conversationId: string, code = 1011, errorType = 'llm_error', message = 'An internal server error occurred.'): void {
    this.sessionOf(conversationId).fail(code, errorType, message);
  }

  interruptConversation(conversationId: string, staleAudioChunks = 3): void {
    this.sessionOf(conversationId).interrupt(staleAudioChunks);
  }

  sendEvent(conversationId: string, event: JsonObject): void {
    this.sessionOf(conversationId).sendEvent(event);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const [timer, wake] of this.delays) {
      clearTimeout(timer);
      wake();
    }
    this.delays.clear();
    for (const session of this.sessions) session.terminate();
    for (const ws of this.sockets) ws.terminate();
    this.abort.abort();
    await Promise.allSettled([...this.pendingDeliveries]);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.tokens.clear();
  }

  // ---- WebSocket -------------------------------------------------------------------------------

  private sessionOf(conversationId: string): ConversationSocket {
    for (const session of this.sessions) if (session.record.conversationId === conversationId) return session;
    throw new Error(`No open conversation ${conversationId}`);
  }

  private lookupAgent(agentId: string): AgentConfig | undefined {
    return this.agents.get(agentId) ?? this.defaultAgent;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const agentId = url.searchParams.get('agent_id');
    if (this.stopped || url.pathname !== CONVERSATION_WS_PATH) {
      rejectUpgrade(socket, 404, { detail: 'Not Found' });
      return;
    }
    const rejectFault = this.faults.rejectWebSocket;
    if (rejectFault) {
      const status = rejectFault === true ? 503 : rejectFault;
      this.rejectedConnections.push({ agentId, httpStatus: status, reason: 'rejectWebSocket fault', atMs: Date.now() });
      rejectUpgrade(socket, status, errorBodyFor(status));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url, agentId));
  }

  private onConnection(ws: WebSocket, url: URL, agentId: string | null): void {
    this.sockets.add(ws);
    ws.once('close', () => this.sockets.delete(ws));
    ws.on('error', () => undefined);
    const config = agentId === null ? undefined : this.lookupAgent(agentId);
    if (agentId === null || config === undefined) {
      this.refuse(ws, agentId, agentId === null ? 'agent_id is required.' : `Agent ${agentId} not found.`);
      return;
    }
    const agent = resolveAgentConfig(config);
    const signature = url.searchParams.get('conversation_signature');
    // A private agent needs a valid token; a token that is presented is always checked.
    if (agent.requiresAuth || signature !== null) {
      const problem = this.consumeToken(signature, agentId);
      if (problem !== undefined) {
        this.refuse(ws, agentId, problem);
        return;
      }
    }
    const record = newRecord(agentId, config, Object.fromEntries(url.searchParams), signature !== null);
    this.records.set(record.conversationId, record);
    this.totalConversations++;
    const session = new ConversationSocket({
      ws,
      record,
      agent,
      faults: { ...this.faults },
      onClosed: (closed) => this.onSessionClosed(closed),
    });
    this.sessions.add(session);
  }

  // The notes only document "1008 right after connect" for initiation problems (§6); auth failures
  // are modelled the same way: accept the upgrade, then close 1008 with the reason.
  private refuse(ws: WebSocket, agentId: string | null, reason: string): void {
    this.rejectedConnections.push({ agentId, closeCode: 1008, reason, atMs: Date.now() });
    ws.close(1008, reason);
  }

  private consumeToken(signature: string | null, agentId: string): string | undefined {
    if (signature === null) return 'Could not authorize the conversation: this agent requires a signed URL.';
    const token = this.tokens.get(signature);
    if (token === undefined) return 'Could not authorize the conversation: invalid or already used conversation_signature.';
    this.tokens.delete(signature);
    if (token.expiresAtMs < Date.now()) return 'Could not authorize the conversation: conversation_signature expired.';
    if (token.agentId !== agentId) return 'Could not authorize the conversation: signature was issued for another agent.';
    return undefined;
  }

  private onSessionClosed(session: ConversationSocket): void {
    this.sessions.delete(session);
    const config = this.postCallWebhook;
    if (config === undefined || this.stopped) return;
    const record = session.record;
    for (const event of config.events ?? ['transcript']) {
      const payload =
        event === 'audio' ? buildPostCallAudio(record) : buildPostCallTranscription(record, { analysis: this.lookupAgent(record.agentId)?.analysis });
      const entry: WebhookDeliveryRecord = { type: payload.type, conversationId: record.conversationId, atMs: Date.now() };
      this.webhookDeliveries.push(entry);
      const delivery: Promise<void> = deliverWebhook(config.url, payload, config.secret, {
        chunked: event === 'audio',
        signal: this.abort.signal,
      })
        .then(
          (result) => {
            entry.status = result.status;
          },
          (err: unknown) => {
            entry.error = err instanceof Error ? err.message : String(err);
          },
        )
        .finally(() => this.pendingDeliveries.delete(delivery));
      this.pendingDeliveries.add(delivery);
    }
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const details = CONVERSATION_DETAILS_PATH.exec(url.pathname);
      if (req.method === 'GET' && SIGNED_URL_PATHS.has(url.pathname)) await this.handleSignedUrl(req, res, url);
      else if (req.method === 'POST' && url.pathname === REGISTER_CALL_PATH) await this.handleRegisterCall(req, res);
      else if (req.method === 'GET' && details !== null) this.handleGetConversation(req, res, decodeURIComponent(details[1]));
      else sendJson(res, 404, { detail: 'Not Found' });
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, errorDetail('internal_error', err instanceof Error ? err.message : String(err)));
      else res.destroy();
    }
  }

  /** Returns the API key, or answers 401 the way the real API does and returns undefined. */
  private authenticate(req: IncomingMessage, res: ServerResponse): string | undefined {
    const header = req.headers['xi-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) {
      sendJson(res, 401, errorDetail('needs_authorization', 'Neither authorization header nor xi-api-key received, please provide one.'));
      return undefined;
    }
    if (this.apiKeys.size > 0 && !this.apiKeys.has(key)) {
      sendJson(res, 401, errorDetail('invalid_api_key', 'Invalid API key'));
      return undefined;
    }
    return key;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.set(timer, resolve);
    });
  }

  private async handleSignedUrl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const agentId = url.searchParams.get('agent_id');
    const header = req.headers['xi-api-key'];
    const entry: SignedUrlRequestRecord = {
      agentId,
      apiKey: Array.isArray(header) ? header[0] : header,
      status: 0,
      atMs: Date.now(),
    };
    this.signedUrlRequests.push(entry);
    const faults = this.faults;
    if (faults.signedUrlDelayMs) {
      await this.delay(faults.signedUrlDelayMs);
      if (this.stopped) {
        res.destroy();
        return;
      }
    }
    const respond = (status: number, body: unknown) => {
      entry.status = status;
      sendJson(res, status, body);
    };
    if (this.authenticate(req, res) === undefined) {
      entry.status = 401;
      return;
    }
    if (faults.signedUrlStatus !== undefined && faults.signedUrlStatus !== 200) {
      respond(faults.signedUrlStatus, errorBodyFor(faults.signedUrlStatus));
      return;
    }
    if (!agentId) {
      respond(422, { detail: [{ type: 'missing', loc: ['query', 'agent_id'], msg: 'Field required', input: null }] });
      return;
    }
    if (this.lookupAgent(agentId) === undefined) {
      respond(404, errorDetail('agent_not_found', `Agent ${agentId} not found.`));
      return;
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { agentId, expiresAtMs: Date.now() + this.signedUrlTtlMs });
    const signedUrl = `${this.wsBaseUrl}${CONVERSATION_WS_PATH}?agent_id=${encodeURIComponent(agentId)}` + `&conversation_signature=${token}`;
    respond(200, { signed_url: signedUrl });
  }

  private async handleRegisterCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const apiKey = this.authenticate(req, res);
    if (apiKey === undefined) return;
    let body: JsonObject;
    try {
      const parsed: unknown = JSON.parse(await readBody(req));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as JsonObject;
    } catch {
      sendJson(res, 422, { detail: [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }] });
      return;
    }
    const missing = ['agent_id', 'from_number', 'to_number'].filter((f) => typeof body[f] !== 'string' || body[f] === '');
    if (missing.length > 0) {
      sendJson(res, 422, {
        detail: missing.map((f) => ({ type: 'missing', loc: ['body', f], msg: 'Field required', input: body })),
      });
      return;
    }
    const agentId = body.agent_id as string;
    if (this.lookupAgent(agentId) === undefined) {
      sendJson(res, 404, errorDetail('agent_not_found', `Agent ${agentId} not found.`));
      return;
    }
    const direction = body.direction === 'outbound' ? 'outbound' : 'inbound';
    const registrationId = newConversationId('reg');
    const streamUrl = `${this.wsBaseUrl}/v1/convai/twilio/stream?registration_id=${registrationId}`;
    const params: Record<string, string> = {
      agent_id: agentId,
      from_number: body.from_number as string,
      to_number: body.to_number as string,
      direction,
    };
    const twiml =
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect>' +
      `<Stream url="${xmlAttr(streamUrl)}">` +
      Object.entries(params)
        .map(([name, value]) => `<Parameter name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`)
        .join('') +
      '</Stream></Connect></Response>';
    this.registeredCalls.push({
      agent_id: agentId,
      from_number: params.from_number,
      to_number: params.to_number,
      direction,
      conversation_initiation_client_data: body.conversation_initiation_client_data as JsonObject | undefined,
      apiKey,
      twiml,
      atMs: Date.now(),
    });
    // The real endpoint answers TwiML as text/html (js-sdk, register-call docs), not text/xml.
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(twiml) });
    res.end(twiml);
  }

  private handleGetConversation(req: IncomingMessage, res: ServerResponse, conversationId: string): void {
    if (this.authenticate(req, res) === undefined) return;
    const details = this.conversationDetails(conversationId);
    if (details === undefined) {
      sendJson(res, 404, errorDetail('conversation_not_found', `Conversation ${conversationId} not found.`));
      return;
    }
    sendJson(res, 200, details);
  }
}
