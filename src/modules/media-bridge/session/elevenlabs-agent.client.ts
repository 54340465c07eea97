import { WebSocket, type ClientOptions } from 'ws';
import { agentMessages, userAudioWsFrame } from '../protocol/frame-build.js';
import { writeRawFrame } from '../protocol/ws-frame.js';
import { FrameSpan, scanAgentAudio } from '../protocol/frame-scan.js';
import { readTextFramesDirectly } from '../protocol/ws-fast-reader.js';
import { textOf } from '../../../common/json/text-of.js';
import type { AgentFailureType } from '../../calls/call-state.js';

// The outbound conversation WebSocket to ElevenLabs (docs/protocols.md §4): signed URL (or the public
// URL), `conversation_initiation_client_data` first, pongs at once, and an `abort` that works in
// every state — while the signed URL is being fetched, while the handshake runs, or once open — so
// a caller who hangs up during setup never leaves a conversation running (§5: the official
// example leaks those).

export type AgentClientState = 'idle' | 'resolving' | 'connecting' | 'initiating' | 'open' | 'closed';
export type AgentFailureStage = 'signed_url' | 'connect' | 'initiation' | 'conversation';

export interface ConversationMetadata {
  conversationId: string;
  userInputAudioFormat: string;
  agentOutputAudioFormat: string;
}

export interface AgentEnd {
  kind: 'ended' | 'failed';
  stage: AgentFailureStage;
  /** Short label, also for metrics. */
  type?: AgentFailureType;
  code?: number;
  reason: string;
  /** `error_event.error_type` when ElevenLabs sent an `error` before closing. */
  errorType?: string;
}

export interface AgentClientListener {
  onAgentOpen(meta: ConversationMetadata): void;
  /** Hot path: the payload is `frame[start, end)`, still base64. */
  onAgentAudio(frame: Buffer, start: number, end: number, eventId: number): void;
  onAgentEvent(type: string, message: Record<string, unknown>): void;
  /** Only for ends we did not ask for (a local `close()` is silent). */
  onAgentClosed(end: AgentEnd): void;
}

export interface AgentClientLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface AgentClientOptions {
  resolveUrl(signal: AbortSignal): Promise<string>;
  /** The serialized `conversation_initiation_client_data` message (may still be in the making). */
  initiation: string | Promise<string>;
  listener: AgentClientListener;
  log: AgentClientLog;
  connectTimeoutMs: number;
}

const SOCKET_OPTIONS: ClientOptions = {
  perMessageDeflate: false, // audio is base64 noise: compression costs CPU and saves little
  handshakeTimeout: 5_000,
  maxPayload: 16 * 1024 * 1024,
};
// A close handshake the server does not answer must not keep the socket (and the conversation) alive.
const CLOSE_GRACE_MS = 2_000;

export class ElevenLabsAgentClient {
  state: AgentClientState = 'idle';
  conversationId: string | null = null;
  private ws?: WebSocket;
  private readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;
  private errorEvent?: { code?: number; errorType?: string; message?: string };
  private socketError?: string;
  private readonly span = new FrameSpan();

  constructor(private readonly opts: AgentClientOptions) {
    // Handled when the socket opens; a call that ends before that must not leave an unhandled rejection.
    if (typeof opts.initiation !== 'string') opts.initiation.catch(() => undefined);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get bufferedAmount(): number {
    return this.ws ? this.ws.bufferedAmount : 0;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'resolving';
    this.timer = setTimeout(
      () => this.fail('connect', 'connect_timeout', `no conversation after ${this.opts.connectTimeoutMs} ms`),
      this.opts.connectTimeoutMs,
    );
    this.opts.resolveUrl(this.abort.signal).then(
      (url) => this.connect(url),
      (err: Error) => this.fail('signed_url', 'signed_url_failed', err.message),
    );
  }

  /** Hot path. The caller checks `isOpen` and `bufferedAmount` first. */
  sendUserAudio(src: Buffer, start: number, end: number): void {
    writeRawFrame(this.ws!, userAudioWsFrame(src, start, end));
  }

  send(text: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** Ends the conversation from our side, whatever state it is in. Silent: no listener callback. */
  close(code = 1000, reason = ''): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.timer);
    this.abort.abort(); // a pending signed-URL request
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate(); // aborts the handshake: the server never gets a conversation going
    } else if (ws.readyState === WebSocket.OPEN) {
      ws.close(code, reason);
      // Cleared once the close handshake is done: the timer would keep the socket, this client and
      // the call's session reachable for CLOSE_GRACE_MS after every call.
      const grace = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      grace.unref();
      ws.once('close', () => clearTimeout(grace));
    }
  }

  private connect(url: string): void {
    if (this.state !== 'resolving') return; // closed while the signed URL was on its way
    this.state = 'connecting';
    const ws = new WebSocket(url, SOCKET_OPTIONS);
    this.ws = ws;
    ws.on('open', () => {
      readTextFramesDirectly(ws, 'client'); // audio frames skip ws's Receiver (protocol/ws-fast-reader.ts)
      if (this.state !== 'connecting') return;
      this.state = 'initiating';
      // It must be the first message (docs/protocols.md §4.2); nothing else is sent before metadata.
      Promise.resolve(this.opts.initiation).then(
        (text) => {
          if (this.state === 'initiating') ws.send(text);
        },
        (err: Error) => this.fail('initiation', 'context_failed', err.message),
      );
    });
    ws.on('message', this.onMessage);
    ws.on('error', (err: Error) => {
      this.socketError = err.message; // 'close' follows
    });
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString()));
  }

  private readonly onMessage = (data: Buffer): void => {
    if (this.state !== 'open' && this.state !== 'initiating') return;
    const span = this.span;
    if (scanAgentAudio(data, span)) {
      this.opts.listener.onAgentAudio(data, span.start, span.end, span.eventId);
      return;
    }
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const type = typeof msg.type === 'string' ? msg.type : '';
    switch (type) {
      case 'ping': {
        // Pong at once, never after ping_ms (docs/protocols.md §4.4).
        const eventId = Number((msg.ping_event as { event_id?: unknown } | undefined)?.event_id);
        if (Number.isFinite(eventId)) this.ws?.send(agentMessages.pong(eventId));
        return;
      }
      case 'conversation_initiation_metadata':
        return this.onMetadata(msg.conversation_initiation_metadata_event as Record<string, unknown> | undefined);
      case 'audio': {
        // An encoding the scanner did not take (escaped characters, unusual layout).
        const event = msg.audio_event as { audio_base_64?: unknown; event_id?: unknown } | undefined;
        if (typeof event?.audio_base_64 !== 'string') return;
        const payload = Buffer.from(event.audio_base_64, 'latin1');
        this.opts.listener.onAgentAudio(payload, 0, payload.length, Number(event.event_id) || 0);
        return;
      }
      case 'error': {
        const e = (msg.error_event ?? {}) as { code?: number; error_type?: string; message?: string };
        this.errorEvent = { code: e.code, errorType: e.error_type, message: e.message };
        this.opts.log.error(
          { conversationId: this.conversationId, code: e.code, errorType: e.error_type, reason: e.message },
          'ElevenLabs sent an error event',
        );
        return;
      }
      default:
        this.opts.listener.onAgentEvent(type, msg);
    }
  };

  private onMetadata(event: Record<string, unknown> | undefined): void {
    if (this.state !== 'initiating') return;
    this.state = 'open';
    clearTimeout(this.timer);
    this.conversationId = typeof event?.conversation_id === 'string' ? event.conversation_id : null;
    this.opts.listener.onAgentOpen({
      conversationId: this.conversationId ?? '',
      userInputAudioFormat: textOf(event?.user_input_audio_format),
      agentOutputAudioFormat: textOf(event?.agent_output_audio_format),
    });
  }

  private onClose(code: number, reason: string): void {
    if (this.state === 'closed') return;
    const stage: AgentFailureStage = this.state === 'connecting' ? 'connect' : this.state === 'initiating' ? 'initiation' : 'conversation';
    this.state = 'closed';
    clearTimeout(this.timer);
    const error = this.errorEvent;
    if (stage === 'conversation' && code === 1000 && !error) {
      this.opts.listener.onAgentClosed({ kind: 'ended', stage, code, reason });
      return;
    }
    const type = error
      ? 'error_event'
      : stage === 'connect'
        ? 'connect_failed'
        : stage === 'initiation'
          ? 'initiation_rejected'
          : code === 1006
            ? 'connection_lost'
            : 'abnormal_close';
    this.opts.listener.onAgentClosed({
      kind: 'failed',
      stage,
      type,
      code,
      reason: error?.message ?? (reason || this.socketError || `closed with ${code}`),
      errorType: error?.errorType,
    });
  }

  private fail(stage: AgentFailureStage, type: AgentFailureType, reason: string): void {
    if (this.state === 'closed') return;
    this.close(1011);
    this.opts.listener.onAgentClosed({ kind: 'failed', stage, type, reason });
  }
}
