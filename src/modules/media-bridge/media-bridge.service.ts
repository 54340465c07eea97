import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { WebSocket } from 'ws';
import { ShutdownService } from '../../common/lifecycle/shutdown.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { CallLifecycleEvents, type AcceptedCall } from '../calls/call-lifecycle.events.js';
import { ConversationContextService } from '../leads/conversation-context.service.js';
import { PRE_OPEN_TTL_MS, WS_INTERNAL_ERROR } from './media-bridge.constants.js';
import { MediaBridgeException, MediaBridgeExceptionCode as Code } from './media-bridge.exception.js';
import { MediaBridgeMetrics } from './media-bridge.metrics.js';
import type { StreamStart } from './media-stream-auth.js';
import { MediaStreamAuthenticator, type UpgradeVerdict } from './media-stream-authenticator.service.js';
import { MediaSessionFactory } from './media-session.factory.js';
import type { MediaSession } from './session/media-session.js';
import { PendingStream } from './session/pending-stream.js';
import { readTextFramesDirectly } from './protocol/ws-fast-reader.js';
import type { BridgeEndReason } from '../calls/call-state.js';

const VERDICT = Symbol('media-stream-verdict');
type UpgradeRequest = IncomingMessage & { [VERDICT]?: UpgradeVerdict };

export type UpgradeDecision = { ok: true } | { ok: false; status: number; message: string };

/**
 * The calls on this instance: admission at the upgrade, authentication at `start`, one MediaSession
 * per call (opened early when the voice webhook answered here, else at `start`), and the drain.
 */
@Injectable()
export class MediaBridgeService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('MediaBridge');
  private readonly sessions = new Map<string, MediaSession>();
  private readonly preOpened = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Set<PendingStream>();
  private attached = 0;
  private upgrades = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shutdown: ShutdownService,
    private readonly lifecycle: CallLifecycleEvents,
    private readonly auth: MediaStreamAuthenticator,
    private readonly factory: MediaSessionFactory,
    private readonly contexts: ConversationContextService,
    private readonly metrics: MediaBridgeMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics.liveCalls = () => this.liveCount;
    this.shutdown.register({ name: 'media-calls', activeCount: () => this.liveCount, endAll: () => this.endAll('shutdown') });
    this.lifecycle.onAccepted((event) => this.preOpen(event));
  }

  /** Streams attached to a call plus streams still authenticating (what MAX_CONCURRENT_CALLS bounds). */
  get liveCount(): number {
    return this.attached + this.pending.size;
  }

  /** At the HTTP upgrade, synchronously: drain, capacity, signature header. */
  admitUpgrade(req: IncomingMessage): UpgradeDecision {
    const requestId = `ws-${++this.upgrades}`;
    try {
      if (this.shutdown.isDraining) throw new MediaBridgeException(Code.DRAINING, 'This instance is draining');
      // Overload must never degrade the calls in progress: new streams are refused instead.
      if (this.liveCount >= this.config.media.maxConcurrentCalls) throw new MediaBridgeException(Code.AT_CAPACITY, 'MAX_CONCURRENT_CALLS reached');
      (req as UpgradeRequest)[VERDICT] = this.auth.checkUpgrade(req, requestId);
      return { ok: true };
    } catch (err) {
      const e = err instanceof MediaBridgeException ? err : new MediaBridgeException(Code.BAD_SIGNATURE, 'Upgrade check failed');
      this.auth.refused(e, { requestId, sourceIp: req.socket.remoteAddress ?? null });
      return { ok: false, status: e.httpStatus, message: STATUS_CODES[e.httpStatus] ?? 'Forbidden' };
    }
  }

  /** A WebSocket passed the upgrade: wait for its `start`. */
  accept(ws: WebSocket, req: IncomingMessage): void {
    const verdict = (req as UpgradeRequest)[VERDICT];
    if (!verdict) return ws.close(1008);
    readTextFramesDirectly(ws, 'server'); // audio frames skip ws's Receiver (protocol/ws-fast-reader.ts)
    const stream = new PendingStream(ws, verdict, {
      onStart: (p, start) => void this.authorize(p, start),
      onNoStart: (p, why) => this.refuse(p, new MediaBridgeException(why === 'timeout' ? Code.START_TIMEOUT : Code.MALFORMED_START, `No valid start (${why})`)),
      onClosed: (p) => {
        if (p.startedAt === undefined) this.drop(p);
      },
    });
    this.pending.add(stream);
  }

  private async authorize(p: PendingStream, start: StreamStart): Promise<void> {
    try {
      const stream = await this.auth.authorizeStart(p.verdict, start);
      let session = this.takePreOpened(stream.callId, stream.tenantId);
      if (!session && !p.closed) {
        // The context (lead history) is built while the signed URL and the handshake are on their way.
        // The voice webhook's per-call options (outbound overrides, voicemail message) come with the
        // call row, since this instance may not be the one that answered the webhook. A hand-back
        // after a transfer tells the agent what happened (takeover module).
        const { handback, contextOptions } = stream;
        const options = { ...(contextOptions ?? {}) };
        if (handback) {
          options.extraVariables = { ...(options.extraVariables ?? {}), handback_note: handback.note };
          if (handback.firstMessage) options.firstMessage = handback.firstMessage;
        }
        const context = this.contexts.build(stream.tenant, stream.lead, options);
        session = this.factory.create({ call: { id: stream.callId, tenantId: stream.tenantId, leadId: stream.leadId }, tenant: stream.tenant, context }, (s) =>
          this.onFinished(s),
        );
        this.sessions.set(stream.callId, session);
        session.start();
      }
      // The caller hung up during setup: nothing is opened, or what was opened is closed now.
      if (p.closed || p.ws.readyState !== WebSocket.OPEN || !session || session.phase === 'ended') {
        this.drop(p);
        if (p.ws.readyState === WebSocket.OPEN) p.ws.close(session?.phase === 'ended' ? 1011 : 1000);
        await session?.finish('caller_hangup', 'hangup_during_setup');
        return;
      }
      this.pending.delete(p);
      this.attached++;
      session.attachStream(p.ws, stream.streamSid, p.startedAt!, p.handOver());
      this.logger.log({ callId: stream.callId, tenantId: stream.tenantId, streamSid: stream.streamSid }, 'Media stream attached');
    } catch (err) {
      if (err instanceof MediaBridgeException) return this.refuse(p, err, start.callSid);
      this.logger.error({ err, callSid: start.callSid }, 'Media stream setup failed');
      this.drop(p);
      if (p.ws.readyState === WebSocket.OPEN) p.ws.close(WS_INTERNAL_ERROR);
    }
  }

  private refuse(p: PendingStream, err: MediaBridgeException, callSid?: string): void {
    this.auth.refused(err, p.verdict, { callSid, closeCode: err.closeCode });
    this.drop(p);
    if (p.ws.readyState === WebSocket.OPEN) p.ws.close(err.closeCode, err.reason);
  }

  private drop(p: PendingStream): void {
    p.release();
    this.pending.delete(p);
  }

  /** The voice webhook answered on this instance: open the conversation while Twilio sets up the stream. */
  private preOpen({ call, tenant, context }: AcceptedCall): void {
    if (this.shutdown.isDraining || this.sessions.has(call.id)) return;
    if (this.liveCount + this.preOpened.size >= this.config.media.maxConcurrentCalls) return;
    const session = this.factory.create({ call: { id: call.id, tenantId: call.tenantId, leadId: call.leadId }, tenant, context }, (s) => this.onFinished(s));
    this.sessions.set(call.id, session);
    // The stream may land on another instance: then this conversation is closed unused.
    const timer = setTimeout(() => {
      this.preOpened.delete(call.id);
      if (!session.hasStream) void session.finish('completed', 'pre_open_unused');
    }, PRE_OPEN_TTL_MS);
    timer.unref();
    this.preOpened.set(call.id, timer);
    session.start();
  }

  /**
   * Tells the agent of a call bridged by this instance something it should know (e.g. why the call
   * is being transferred), as a non-interrupting contextual update. False when the call's stream is
   * on another instance or already over.
   */
  tellAgent(callId: string, tenantId: string, text: string): boolean {
    const session = this.sessions.get(callId);
    return !!session && session.init.tenantId === tenantId && session.tellAgent(text);
  }

  private takePreOpened(callId: string, tenantId: string): MediaSession | undefined {
    const timer = this.preOpened.get(callId);
    const session = this.sessions.get(callId);
    if (timer === undefined || !session || session.init.tenantId !== tenantId || session.phase !== 'awaiting-stream') return undefined;
    clearTimeout(timer);
    this.preOpened.delete(callId);
    return session;
  }

  private onFinished(session: MediaSession): void {
    if (this.sessions.get(session.init.callId) === session) this.sessions.delete(session.init.callId);
    const timer = this.preOpened.get(session.init.callId);
    if (timer && !session.hasStream) {
      clearTimeout(timer);
      this.preOpened.delete(session.init.callId);
    }
    if (session.hasStream) this.attached--;
  }

  /** Drain deadline passed (or shutdown): end every call now, politely (outcome written, then the stream closed). */
  async endAll(reason: BridgeEndReason): Promise<void> {
    for (const p of [...this.pending]) {
      this.drop(p);
      if (p.ws.readyState === WebSocket.OPEN) p.ws.close(1001);
    }
    await Promise.all([...this.sessions.values()].map((s) => s.finish('completed', reason)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.sessions.size > 0 || this.pending.size > 0) await this.endAll('shutdown');
  }
}
