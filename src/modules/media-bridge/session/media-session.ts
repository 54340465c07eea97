import { WebSocket } from 'ws';
import type { LiveTranscriptEntry } from '../transcript-writer.service.js';
import type { BridgeEndReason, BridgeOutcome } from '../../calls/call-state.js';
import {
  AGENT_QUEUE_LIMIT,
  CALLER_QUEUE_LIMIT,
  END_MAX_WAIT_MS,
  END_QUIET_MS,
  MAX_SOCKET_BUFFERED_BYTES,
  OUTCOME_WRITE_TIMEOUT_MS,
  QUEUE_RETRY_MS,
  WS_NORMAL,
} from '../media-bridge.constants.js';
import { agentMessages } from '../protocol/frame-build.js';
import { FrameSpan, scanTwilioMedia } from '../protocol/frame-scan.js';
import type { ClientToolRegistry } from '../tools/client-tool.registry.js';
import { runClientTool } from '../tools/run-client-tool.js';
import type { BridgeCounters } from './bridge-counters.js';
import type { AgentClientListener, AgentEnd, ConversationMetadata, ElevenLabsAgentClient } from './elevenlabs-agent.client.js';
import { FrameQueue } from './frame-queue.js';
import { isStaleAgentAudio, requiredAudioFormatProblem } from './session-rules.js';
import { SessionTimeline } from './session-timeline.js';
import { raceTimeout } from './timing.js';
import { TwilioMediaWriter } from './twilio-media.writer.js';
import { textOf } from '../../../common/json/text-of.js';

export type SessionPhase = 'awaiting-stream' | 'live' | 'ending' | 'ended';

export interface MediaSessionInit {
  callId: string;
  tenantId: string;
  leadId: string | null;
  agentId: string | null;
  handoffAvailable: boolean;
}

export interface SessionLog {
  log(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** What a session needs from the rest of the application (built by MediaSessionFactory). */
export interface MediaSessionPorts {
  /** Throws when the tenant has no usable agent. */
  createAgent(listener: AgentClientListener): ElevenLabsAgentClient;
  setConversation(conversationId: string): Promise<void>;
  /** `failure`: for a call the AI leg could not serve, why, in words a user can read (calls.failureReason). */
  recordOutcome(outcome: BridgeOutcome, reason: BridgeEndReason, failure?: string): Promise<void>;
  timeline(entry: LiveTranscriptEntry): void;
  publish(type: 'call.started' | 'call.ended' | 'call.interruption', data: Record<string, unknown>): void;
  tools: ClientToolRegistry;
  counters: BridgeCounters;
  observeSetup(stage: 'upstream_open' | 'first_agent_audio', seconds: number): void;
  upstreamError(type: string): void;
  interruption(): void;
  log: SessionLog;
  onFinished(session: MediaSession): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const BASE64 = /^[A-Za-z0-9+/=]*$/;

/**
 * One call on the bridge: the caller's Twilio media stream and the agent's ElevenLabs conversation.
 * It may start before the stream exists (pre-opened when the voice webhook answered); audio each
 * side sends before the other is ready waits in bounded queues, so no word is lost at setup.
 * Media frames go straight from the socket listeners to the other socket (no JSON, no decode).
 */
export class MediaSession implements AgentClientListener {
  phase: SessionPhase = 'awaiting-stream';
  readonly createdAt = performance.now();
  private agent: ElevenLabsAgentClient | undefined;
  private ws: WebSocket | undefined;
  private writer: TwilioMediaWriter | undefined;
  private streamStartedAt: number | undefined;
  private agentOpenedAt: number | undefined;
  private callerQueue = new FrameQueue(CALLER_QUEUE_LIMIT.frames, CALLER_QUEUE_LIMIT.base64Bytes);
  private readonly agentEarlyQueue = new FrameQueue(AGENT_QUEUE_LIMIT.frames, AGENT_QUEUE_LIMIT.base64Bytes);
  private readonly span = new FrameSpan();
  private callerRetry: NodeJS.Timeout | undefined;
  private lastInterruptId = 0;
  private agentAudioCount = 0;
  private firstAudioObserved = false;
  private conversationRecorded = false;
  private readonly pendingAgentMessages: string[] = [];
  private readonly timeline: SessionTimeline;
  private endReason: BridgeEndReason | '' = '';
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;

  constructor(
    readonly init: MediaSessionInit,
    private readonly ports: MediaSessionPorts,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.timeline = new SessionTimeline(
      init,
      (entry) => ports.timeline(entry),
      () => this.offsetSecs(),
    );
  }

  get conversationId(): string | null {
    return this.agent?.conversationId ?? null;
  }

  get hasStream(): boolean {
    return this.ws !== undefined;
  }

  start(): void {
    try {
      this.agent = this.ports.createAgent(this);
    } catch (err) {
      // Reported like any upstream failure, once the stream (attached right after) can be told.
      const reason = err instanceof Error ? err.message : String(err);
      setImmediate(() => this.onAgentClosed({ kind: 'failed', stage: 'connect', type: 'agent_not_configured', reason }));
      return;
    }
    this.agent.start();
  }

  /** The authenticated Twilio stream of this call, with what it sent during setup. */
  attachStream(ws: WebSocket, streamSid: string, streamStartedAt: number, early: { callerAudio: FrameQueue; earlyFrames: Buffer[] }): void {
    this.ws = ws;
    this.streamStartedAt = streamStartedAt;
    this.callerQueue = early.callerAudio;
    this.writer = new TwilioMediaWriter(ws, streamSid, this.ports.counters, this.agentEarlyQueue);
    ws.on('message', this.onTwilioFrame);
    ws.once('close', (code: number) => void this.finish('caller_hangup', code === WS_NORMAL ? 'stream_closed' : `stream_closed_${code}`));
    if (this.phase === 'awaiting-stream') this.phase = 'live';
    this.timeline.release();
    this.ports.publish('call.started', { streamSid, conversationId: this.conversationId });
    for (const frame of early.earlyFrames) this.onTwilioControl(frame);
    if (this.agent?.isOpen) this.onAgentReady();
  }

  // ---- caller → agent (hot path) ---------------------------------------------------------------

  private readonly onTwilioFrame = (data: Buffer): void => {
    const span = this.span;
    if (scanTwilioMedia(data, span)) this.onCallerAudio(data, span.start, span.end);
    else this.onTwilioControl(data);
  };

  private onCallerAudio(src: Buffer, start: number, end: number): void {
    const agent = this.agent;
    if (this.callerQueue.size === 0 && agent !== undefined && agent.isOpen && agent.bufferedAmount <= MAX_SOCKET_BUFFERED_BYTES) {
      agent.sendUserAudio(src, start, end);
      this.ports.counters.callerFramesRelayed++;
      return;
    }
    const queue = this.callerQueue;
    const dropped = queue.dropped;
    queue.push(src.subarray(start, end));
    this.ports.counters.callerFramesDropped += queue.dropped - dropped;
    if (agent?.isOpen) this.retryCallerAudio();
  }

  /** Control messages from the caller's side wait (bounded) until the conversation is open. */
  /** Background information for the agent (never interrupts it); false when the conversation is not open. */
  tellAgent(text: string): boolean {
    if (this.phase === 'ended') return false;
    this.sendToAgent(agentMessages.contextualUpdate(text));
    return true;
  }

  private sendToAgent(text: string): void {
    if (this.agent?.isOpen) this.agent.send(text);
    else if (this.pendingAgentMessages.length < 20) this.pendingAgentMessages.push(text);
  }

  private flushCallerAudio(): void {
    const agent = this.agent;
    const queue = this.callerQueue;
    while (queue.size > 0 && agent?.isOpen && agent.bufferedAmount <= MAX_SOCKET_BUFFERED_BYTES) {
      const payload = queue.shift()!;
      agent.sendUserAudio(payload, 0, payload.length);
      this.ports.counters.callerFramesRelayed++;
    }
    if (queue.size > 0 && agent?.isOpen) this.retryCallerAudio();
  }

  private retryCallerAudio(): void {
    if (this.callerRetry) return;
    this.callerRetry = setTimeout(() => {
      this.callerRetry = undefined;
      this.flushCallerAudio();
    }, QUEUE_RETRY_MS);
  }

  private onTwilioControl(data: Buffer): void {
    let msg: { event?: string; media?: { payload?: unknown }; mark?: { name?: unknown }; dtmf?: { digit?: unknown } };
    try {
      msg = JSON.parse(data.toString('utf8')) as typeof msg;
    } catch {
      return;
    }
    switch (msg?.event) {
      case 'media': {
        const payload = msg.media?.payload;
        if (typeof payload === 'string' && BASE64.test(payload)) {
          const bytes = Buffer.from(payload, 'latin1');
          this.onCallerAudio(bytes, 0, bytes.length);
        }
        return;
      }
      case 'mark':
        this.writer?.onMarkEchoed(textOf(msg.mark?.name));
        return;
      case 'dtmf': {
        const digit = textOf(msg.dtmf?.digit).slice(0, 1);
        if (digit) this.sendToAgent(agentMessages.contextualUpdate(`The caller pressed the key "${digit}" on their phone keypad.`));
        return;
      }
      case 'stop':
        void this.finish('caller_hangup', 'twilio_stop');
        return;
      default:
        return; // connected, start (already handled), unknown events
    }
  }

  // ---- agent → caller --------------------------------------------------------------------------

  onAgentOpen(meta: ConversationMetadata): void {
    const problem = requiredAudioFormatProblem(meta);
    if (problem) {
      this.ports.log.error(
        { callId: this.init.callId, agentId: this.init.agentId, ...meta },
        `ElevenLabs agent is misconfigured: ${problem}; ending the call instead of playing noise`,
      );
      this.ports.upstreamError('wrong_audio_format');
      void this.finish('upstream_failed', 'agent_audio_format', `ElevenLabs agent audio format: ${problem}`);
      return;
    }
    this.agentOpenedAt = performance.now();
    if (this.ws) this.onAgentReady();
  }

  /** Both sides are there: link the conversation and release the caller's buffered audio. */
  private onAgentReady(): void {
    const opened = this.agentOpenedAt ?? performance.now();
    this.ports.observeSetup('upstream_open', Math.max(0, opened - (this.streamStartedAt ?? opened)) / 1000);
    const conversationId = this.conversationId;
    if (conversationId && !this.conversationRecorded) {
      this.conversationRecorded = true;
      this.ports
        .setConversation(conversationId)
        .catch((err: Error) =>
          this.ports.log.warn({ callId: this.init.callId, conversationId, err: err.message }, 'Could not link the conversation to the call'),
        );
    }
    for (const text of this.pendingAgentMessages.splice(0)) this.agent?.send(text);
    this.flushCallerAudio();
  }

  /** Hot path. */
  onAgentAudio(frame: Buffer, start: number, end: number, eventId: number): void {
    if (isStaleAgentAudio(eventId, this.lastInterruptId)) {
      this.ports.counters.staleAgentFramesDropped++;
      return;
    }
    this.agentAudioCount++;
    const writer = this.writer;
    if (writer === undefined) {
      const dropped = this.agentEarlyQueue.dropped;
      this.agentEarlyQueue.push(frame.subarray(start, end));
      this.ports.counters.agentFramesDropped += this.agentEarlyQueue.dropped - dropped;
      return;
    }
    writer.sendAudio(frame, start, end, eventId);
    if (!this.firstAudioObserved && writer.firstAudioAt !== undefined) {
      this.firstAudioObserved = true;
      this.ports.observeSetup('first_agent_audio', Math.max(0, writer.firstAudioAt - (this.streamStartedAt ?? writer.firstAudioAt)) / 1000);
    }
  }

  onAgentEvent(type: string, msg: Record<string, unknown>): void {
    const event = (key: string) => (msg[key] ?? {}) as Record<string, unknown>;
    switch (type) {
      case 'interruption':
        return this.onInterruption(Number(event('interruption_event').event_id) || 0);
      case 'user_transcript':
        return this.timeline.userTranscript(event('user_transcription_event'));
      case 'agent_response':
        return this.timeline.agentResponse(event('agent_response_event'));
      case 'agent_response_correction':
        return this.timeline.correction(event('agent_response_correction_event'));
      case 'client_tool_call':
        void this.runTool(event('client_tool_call'));
        return;
      case 'agent_tool_response': {
        const e = event('agent_tool_response');
        return this.timeline.tool(textOf(e.tool_name), Number(e.event_id) || 0, { toolType: e.tool_type, isError: e.is_error === true });
      }
      default:
        return; // vad_score, tentative transcripts, ...: not needed by the bridge
    }
  }

  onAgentClosed(end: AgentEnd): void {
    if (end.kind === 'ended') return this.endAfterSpeech('completed', 'agent_ended', true);
    this.ports.upstreamError(end.type ?? 'unknown');
    this.ports.log.warn(
      {
        callId: this.init.callId,
        conversationId: this.conversationId,
        stage: end.stage,
        type: end.type,
        code: end.code,
        errorType: end.errorType,
        reason: end.reason,
      },
      'ElevenLabs conversation failed',
    );
    void this.finish('upstream_failed', end.type ?? 'upstream_failed', `ElevenLabs agent ${end.type ?? 'failure'}: ${end.reason}`);
  }

  private onInterruption(eventId: number): void {
    if (eventId > this.lastInterruptId) this.lastInterruptId = eventId;
    if (this.writer) this.writer.clear();
    else this.ports.counters.agentFramesCleared += this.agentEarlyQueue.clear();
    this.ports.interruption();
    this.ports.publish('call.interruption', { eventId, heardEventId: this.writer?.heardEventId ?? 0 });
  }

  private async runTool(call: Record<string, unknown>): Promise<void> {
    const run = await runClientTool(this.ports.tools, call, {
      ...this.init,
      conversationId: this.conversationId,
      call: { endAfterSpeech: (o, r) => this.endAfterSpeech(o, r) },
    });
    if (run.failure) this.ports.log.warn({ callId: this.init.callId, tool: run.name, err: run.failure }, 'Client tool failed');
    this.agent?.send(agentMessages.toolResult(run.toolCallId, run.result, run.isError));
    this.timeline.tool(run.name, run.eventId, { toolCallId: run.toolCallId, isError: run.isError });
  }

  // ---- endings ---------------------------------------------------------------------------------

  /** Lets the agent finish its sentence and Twilio play it out, then ends with `outcome`. */
  endAfterSpeech(outcome: 'completed' | 'transfer', reason: BridgeEndReason, agentGone = false): void {
    if (this.phase === 'ending' || this.phase === 'ended') return;
    if (this.phase === 'awaiting-stream' || !this.writer) {
      void this.finish(outcome, reason);
      return;
    }
    this.phase = 'ending';
    this.endReason = reason;
    const deadline = performance.now() + END_MAX_WAIT_MS;
    void (async () => {
      if (!agentGone) {
        // Quiet = no agent audio for END_QUIET_MS (checked by count: no clock on the hot path).
        let seen = -1;
        while (this.phase === 'ending' && this.agentAudioCount !== seen && this.agent?.isOpen && performance.now() < deadline) {
          seen = this.agentAudioCount;
          await sleep(END_QUIET_MS);
        }
      }
      const writer = this.writer;
      if (this.phase !== 'ending' || !writer) return;
      const budget = Math.max(0, Math.min(writer.pendingPlayoutMs() + 1_500, deadline - performance.now()));
      await raceTimeout(writer.playedOut(), budget, undefined);
      await this.finish(outcome, reason);
    })();
  }

  /** Ends the call now: upstream closed (or aborted mid-setup), outcome written, then the stream closed. */
  async finish(outcome: BridgeOutcome, reason: BridgeEndReason, failure?: string): Promise<void> {
    if (this.phase === 'ended') return this.finished;
    const attached = this.ws !== undefined;
    this.phase = 'ended';
    this.endReason = reason;
    clearTimeout(this.callerRetry);
    this.agent?.close(WS_NORMAL);
    this.writer?.dispose();
    this.ws?.off('message', this.onTwilioFrame);
    if (attached) {
      const ws = this.ws!;
      // Written before the stream closes: Twilio then asks the <Connect action> URL what to do next.
      const write = this.ports
        .recordOutcome(outcome, reason, failure)
        .catch((err: Error) => this.ports.log.error({ callId: this.init.callId, err: err.message }, 'Could not record the bridge outcome'));
      if (ws.readyState === WebSocket.OPEN) {
        await raceTimeout(write, OUTCOME_WRITE_TIMEOUT_MS, undefined);
        ws.close(WS_NORMAL);
      }
      this.ports.log.log(
        {
          callId: this.init.callId,
          tenantId: this.init.tenantId,
          conversationId: this.conversationId,
          outcome,
          reason,
          durationMs: Math.round(performance.now() - (this.streamStartedAt ?? this.createdAt)),
        },
        'Call left the media bridge',
      );
      this.ports.publish('call.ended', { outcome, reason, conversationId: this.conversationId });
    }
    this.ports.onFinished(this);
    this.resolveFinished();
  }

  get outcomeReason(): BridgeEndReason | '' {
    return this.endReason;
  }

  private offsetSecs(): number {
    return Math.round((performance.now() - (this.streamStartedAt ?? this.createdAt)) / 100) / 10;
  }
}
