import { randomBytes } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import { rawDataToString } from '../ws-raw-data.js';
import { STALE_TONE_HZ, base64ByteLength, bytesPerMs, toneChunkBase64 } from './agent-audio.js';
import { DEFAULT_AGENT_AUDIO_MS, dynamicVariablesOf, placeholdersIn, renderTemplate, type ResolvedAgentConfig } from './agent-scripts.js';
import type {
  AudioFormat,
  ClientInitiationData,
  ClientToolCallSpec,
  ClientToolResultRecord,
  ConversationRecord,
  ConversationStatus,
  FakeFaults,
  JsonObject,
  ScriptTurn,
} from './fake-elevenlabs-types.js';

// One conversation on the fake `/v1/convai/conversation` socket: initiation, metadata, pings,
// the agent behaviour (echo / scripted / text-only) and the per-conversation faults.
// Wire shapes follow docs/protocols.md §4.

// Canonical `JSON.stringify({ user_audio_chunk })` output; anything else takes the JSON.parse path.
const AUDIO_FAST_PATH = /^\{"user_audio_chunk":"([A-Za-z0-9+/=]*)"\}$/;
const BASE64 = /^[A-Za-z0-9+/=]*$/;
// RFC 6455 limits a close reason to 123 bytes.
const MAX_CLOSE_REASON = 120;

type Phase = 'awaiting-init' | 'open' | 'closing' | 'closed';

export interface ConversationSocketOptions {
  ws: WebSocket;
  record: ConversationRecord;
  agent: ResolvedAgentConfig;
  faults: FakeFaults;
  onClosed: (socket: ConversationSocket) => void;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns a problem description, or undefined when the initiation message is acceptable. */
function validateInitiation(msg: JsonObject): string | undefined {
  const vars = msg.dynamic_variables;
  if (vars !== undefined && vars !== null) {
    if (!isObject(vars)) return 'dynamic_variables must be an object';
    for (const [name, value] of Object.entries(vars)) {
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
        return `dynamic variable '${name}' must be a string, number or boolean`;
      }
    }
  }
  const override = msg.conversation_config_override;
  if (override !== undefined && override !== null && !isObject(override)) {
    return 'conversation_config_override must be an object';
  }
  if (msg.user_id !== undefined && msg.user_id !== null && typeof msg.user_id !== 'string') {
    return 'user_id must be a string';
  }
  return undefined;
}

export class ConversationSocket {
  readonly record: ConversationRecord;
  private readonly ws: WebSocket;
  private readonly agent: ResolvedAgentConfig;
  private readonly faults: FakeFaults;
  private readonly onClosed: (socket: ConversationSocket) => void;
  private readonly echo: boolean;
  private phase: Phase = 'awaiting-init';
  private finalStatus: ConversationStatus = 'done';
  private eventId = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly outstandingPings = new Map<number, number>();
  private lastPingRttMs: number | null = null;
  private readonly wakeups = new Set<() => void>();
  private userAudioBytesThisTurn = 0;
  private audioWaiter: { bytes: number; resolve: () => void } | undefined;
  private unconsumedUserMessages = 0;
  private messageWaiter: (() => void) | undefined;
  private readonly toolWaiters = new Map<string, (result: ClientToolResultRecord | undefined) => void>();
  private textReplies: Promise<void> = Promise.resolve();
  private endCallRequested = false;

  constructor(options: ConversationSocketOptions) {
    this.ws = options.ws;
    this.record = options.record;
    this.agent = options.agent;
    this.faults = options.faults;
    this.onClosed = options.onClosed;
    this.echo = this.agent.mode === 'echo';
    this.ws.on('message', (data) => this.onMessage(data));
    this.ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    this.ws.on('error', () => undefined); // a 'close' always follows
    this.later(this.agent.initiationTimeoutMs, () => this.begin());
    if (this.faults.dropAfterMs !== undefined) this.later(this.faults.dropAfterMs, () => this.terminate());
  }

  get isLive(): boolean {
    return this.phase === 'open';
  }

  /** Closes the conversation from the server side with a close frame. */
  close(code = 1000, reason = '', status: ConversationStatus = 'done'): void {
    if (this.phase === 'closing' || this.phase === 'closed') return;
    this.phase = 'closing';
    this.finalStatus = status;
    this.record.closedBy = 'server';
    this.record.closeCode = code;
    this.record.closeReason = reason;
    this.record.terminationReason ??= reason || 'Conversation ended by the agent.';
    this.stopTimers();
    this.ws.close(code, Buffer.from(reason).subarray(0, MAX_CLOSE_REASON).toString());
  }

  /** Destroys the TCP connection without a close frame (the peer sees 1006). */
  terminate(): void {
    if (this.phase === 'closed') return;
    if (this.phase !== 'closing') {
      this.finalStatus = 'failed';
      this.record.closedBy = 'server-abrupt';
      this.record.terminationReason ??= 'Connection dropped.';
    }
    this.phase = 'closing';
    this.stopTimers();
    this.ws.terminate();
  }

  /** Sends an `error` event, then closes with the same code (what the real service does before closing on errors). */
  fail(code: number, errorType: string, message: string): void {
    if (this.phase === 'closing' || this.phase === 'closed') return;
    const event = { type: 'error', error_event: { code, message, error_type: errorType } };
    this.send(event);
    this.record.errors.push(event);
    this.record.terminationReason ??= message;
    this.close(code, message, 'failed');
  }

  /** Sends any server event as is (test hook); use nextEventId() for ids. */
  sendEvent(event: JsonObject): void {
    this.send(event);
  }

  /** Sends an `interruption` event now, followed by stale audio (runtime test hook). */
  interrupt(staleAudioChunks = 3): void {
    if (this.isLive) this.sendInterruption(staleAudioChunks);
  }

  nextEventId(): number {
    return ++this.eventId;
  }

  // ---- inbound ---------------------------------------------------------------------------------

  private onMessage(data: RawData): void {
    if (this.phase === 'closing' || this.phase === 'closed') return;
    const text = rawDataToString(data);
    const count = ++this.record.receivedMessageCount;
    const dropAfter = this.faults.dropAfterMessages;
    if (dropAfter !== undefined && count >= dropAfter) {
      this.terminate();
      return;
    }
    if (this.phase === 'awaiting-init') {
      this.onFirstMessage(text);
      return;
    }
    const fast = AUDIO_FAST_PATH.exec(text);
    if (fast !== null) {
      this.onUserAudio(fast[1]);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.fail(1008, 'invalid_message', 'Invalid message received: not valid JSON.');
      return;
    }
    this.dispatch(msg);
  }

  private onFirstMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.fail(1008, 'invalid_message', 'Invalid message received: not valid JSON.');
      return;
    }
    if (!isObject(msg)) {
      this.fail(1008, 'invalid_message', 'Invalid message received: expected a JSON object.');
      return;
    }
    // The jambonz bug (§1.3): fields nested under a `conversation_initiation_client_data` key.
    if ('conversation_initiation_client_data' in msg) {
      this.fail(1008, 'invalid_message', 'Invalid conversation_initiation_client_data: fields must sit at the top level of the message.');
      return;
    }
    if (msg.type !== 'conversation_initiation_client_data') {
      // No initiation data: start with the agent defaults, then handle this message normally.
      this.begin();
      if (this.isLive) this.dispatch(msg);
      return;
    }
    const problem = validateInitiation(msg);
    if (problem !== undefined) {
      this.fail(1008, 'invalid_message', `Invalid conversation_initiation_client_data: ${problem}.`);
      return;
    }
    const initiation = msg as ClientInitiationData;
    this.record.messages.push(msg);
    this.record.initiation = initiation;
    if (initiation.conversation_config_override && this.agent.overridePolicy === 'reject') {
      const fields = Object.keys(initiation.conversation_config_override).join(', ');
      this.fail(1008, 'override_error', `Override for field(s) ${fields} is not allowed by config.`);
      return;
    }
    this.begin();
  }

  private dispatch(msg: unknown): void {
    if (!isObject(msg)) {
      this.fail(1008, 'invalid_message', 'Invalid message received: expected a JSON object.');
      return;
    }
    if (typeof msg.user_audio_chunk === 'string') {
      if (!BASE64.test(msg.user_audio_chunk)) {
        this.fail(1008, 'invalid_message', 'Invalid message received: user_audio_chunk is not base64.');
        return;
      }
      this.onUserAudio(msg.user_audio_chunk);
      return;
    }
    this.record.messages.push(msg);
    switch (msg.type) {
      case 'pong':
        this.onPong(Number(msg.event_id));
        break;
      case 'client_tool_result':
        this.onToolResult(msg);
        break;
      case 'user_message':
        this.onUserMessage(typeof msg.text === 'string' ? msg.text : '');
        break;
      default:
        // contextual_update, user_activity, feedback, …: recorded only.
        break;
    }
  }

  private onUserAudio(payload: string): void {
    const record = this.record;
    const bytes = base64ByteLength(payload);
    record.receivedAudioChunks++;
    record.receivedAudioBytes += bytes;
    if (this.agent.recordAudioPayloads) record.receivedAudioPayloads.push(payload);
    if (this.echo && !record.textOnly) {
      this.sendAudio(payload, ++this.eventId);
      return;
    }
    this.userAudioBytesThisTurn += bytes;
    const waiter = this.audioWaiter;
    if (waiter !== undefined && this.userAudioBytesThisTurn >= waiter.bytes) {
      this.audioWaiter = undefined;
      waiter.resolve();
    }
  }

  private onPong(eventId: number): void {
    const sentAt = this.outstandingPings.get(eventId);
    if (sentAt === undefined) return;
    const rtt = performance.now() - sentAt;
    this.record.pongLatenciesMs.push(rtt);
    this.lastPingRttMs = Math.round(rtt);
    for (const id of this.outstandingPings.keys()) if (id <= eventId) this.outstandingPings.delete(id);
  }

  private onToolResult(msg: JsonObject): void {
    const result: ClientToolResultRecord = {
      tool_call_id: String(msg.tool_call_id),
      result: msg.result,
      is_error: msg.is_error === true,
      receivedAtMs: Date.now(),
    };
    this.record.toolResults.push(result);
    const waiter = this.toolWaiters.get(result.tool_call_id);
    if (waiter !== undefined) {
      this.toolWaiters.delete(result.tool_call_id);
      waiter(result);
    }
  }

  private onUserMessage(text: string): void {
    this.record.transcript.push({ role: 'user', message: text, time_in_call_secs: this.callSecs(), source_medium: 'text' });
    if (this.record.textOnly) {
      this.textReplies = this.textReplies.then(() => this.replyText(text)).catch(() => undefined);
      return;
    }
    this.unconsumedUserMessages++;
    const waiter = this.messageWaiter;
    if (waiter !== undefined) {
      this.messageWaiter = undefined;
      this.unconsumedUserMessages--;
      waiter();
    }
  }

  private onClose(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.stopTimers();
    const record = this.record;
    record.state = 'closed';
    record.endedAtMs = Date.now();
    if (record.closedBy === undefined) {
      record.closedBy = 'client';
      record.closeCode = code;
      record.closeReason = reason;
      record.terminationReason ??= `Client disconnected: ${code}`;
    } else if (record.closedBy === 'server-abrupt') {
      record.closeCode = code;
    }
    if (this.endCallRequested && record.closedBy === 'server' && record.closeCode === 1000) {
      record.terminationReason = 'end_call tool was called.';
    }
    record.status = this.finalStatus;
    this.onClosed(this);
  }

  // ---- session start ---------------------------------------------------------------------------

  private firstMessage(): string | undefined {
    if (this.echo && !this.record.textOnly) return undefined;
    const override = this.overrides()?.agent?.first_message;
    const message = override ?? this.agent.firstMessage ?? undefined;
    return message === null || message === '' ? undefined : message;
  }

  private overrides(): ClientInitiationData['conversation_config_override'] {
    return this.agent.overridePolicy === 'allow' ? this.record.initiation?.conversation_config_override : undefined;
  }

  private begin(): void {
    if (this.phase !== 'awaiting-init') return;
    const record = this.record;
    record.textOnly = this.agent.textOnly || this.overrides()?.conversation?.text_only === true;
    const vars = dynamicVariablesOf(record);
    const missingInPrompt = this.agent.requiredDynamicVariables.filter((name) => vars[name] === undefined);
    if (missingInPrompt.length > 0) {
      this.fail(1008, 'missing_dynamic_variable', `Missing required dynamic variables in prompt: {${quoteSet(missingInPrompt)}}`);
      return;
    }
    const first = this.firstMessage();
    const missingInFirst = first === undefined ? [] : placeholdersIn(first).filter((name) => vars[name] === undefined);
    if (missingInFirst.length > 0) {
      this.fail(1008, 'missing_dynamic_variable', `Missing required dynamic variables in first message: {${quoteSet(missingInFirst)}}`);
      return;
    }

    this.phase = 'open';
    record.state = 'open';
    record.status = 'in-progress';
    record.openedAtMs = Date.now();
    const wrong = this.faults.wrongAudioFormat;
    const wrongFormat: AudioFormat | undefined = wrong === true ? 'pcm_16000' : wrong || undefined;
    record.announcedFormats = {
      user_input_audio_format: wrongFormat ?? this.agent.userInputAudioFormat,
      agent_output_audio_format: wrongFormat ?? this.agent.agentOutputAudioFormat,
    };
    this.send({
      type: 'conversation_initiation_metadata',
      conversation_initiation_metadata_event: {
        conversation_id: record.conversationId,
        agent_output_audio_format: record.announcedFormats.agent_output_audio_format,
        user_input_audio_format: record.announcedFormats.user_input_audio_format,
      },
    });

    if (this.agent.pingIntervalMs > 0) {
      this.pingTimer = setInterval(() => this.ping(), this.agent.pingIntervalMs);
    }
    const errorFault = this.faults.errorEvent;
    if (errorFault) {
      const spec = errorFault === true ? {} : errorFault;
      this.later(spec.afterMs ?? 0, () => this.fail(spec.code ?? 1011, spec.error_type ?? 'llm_error', spec.message ?? 'An internal server error occurred.'));
    }

    if (record.textOnly) {
      if (first !== undefined) this.sendTextResponse(renderTemplate(first, vars));
    } else if (!this.echo) {
      this.runScript(first).catch(() => this.fail(1011, 'unknown_websocket_crash', 'Script failed.'));
    }
  }

  private ping(): void {
    if (!this.isLive) return;
    if (this.outstandingPings.size >= this.agent.maxMissedPongs) {
      this.fail(1008, 'transport_receive_timeout', `No pong received for ${this.outstandingPings.size} pings.`);
      return;
    }
    const id = ++this.eventId;
    this.outstandingPings.set(id, performance.now());
    this.record.pingsSent++;
    this.sendRaw(`{"type":"ping","ping_event":{"event_id":${id},"ping_ms":${this.lastPingRttMs ?? 'null'}}}`);
  }

  // ---- scripted agent --------------------------------------------------------------------------

  private async runScript(first: string | undefined): Promise<void> {
    if (first !== undefined) await this.speak(renderTemplate(first, dynamicVariablesOf(this.record)), DEFAULT_AGENT_AUDIO_MS);
    for (const turn of this.agent.script) {
      if (!this.isLive) return;
      await this.runTurn(turn);
    }
  }

  private async runTurn(turn: ScriptTurn): Promise<void> {
    this.userAudioBytesThisTurn = 0;
    if (turn.waitMs !== undefined) await this.sleep(turn.waitMs);
    if (!this.isLive) return;
    if (turn.waitForUserAudioMs !== undefined) {
      await this.waitForUserAudio(turn.waitForUserAudioMs * bytesPerMs(this.record.announcedFormats.user_input_audio_format));
      if (!this.isLive) return;
    }
    if (turn.waitForUserMessage) {
      await this.waitForUserMessage();
      if (!this.isLive) return;
    }
    if (turn.userTranscript !== undefined) {
      this.send({
        type: 'user_transcript',
        user_transcription_event: { user_transcript: turn.userTranscript, event_id: ++this.eventId },
      });
      this.record.transcript.push({
        role: 'user',
        message: turn.userTranscript,
        time_in_call_secs: this.callSecs(),
        source_medium: 'audio',
      });
    }
    if (turn.agentResponse !== undefined) {
      await this.speak(renderTemplate(turn.agentResponse, dynamicVariablesOf(this.record)), turn.agentAudioMs ?? DEFAULT_AGENT_AUDIO_MS);
      if (!this.isLive) return;
    }
    if (turn.interruption) {
      this.sendInterruption(turn.interruption === true ? 3 : (turn.interruption.staleAudioChunks ?? 3));
    }
    if (turn.correction !== undefined) this.sendCorrection(turn.correction);
    if (turn.clientToolCall !== undefined) {
      await this.callClientTool(turn.clientToolCall);
      if (!this.isLive) return;
    }
    if (turn.endConversation) {
      const spec = turn.endConversation === true ? {} : turn.endConversation;
      this.close(spec.code ?? 1000, spec.reason ?? '');
    }
  }

  /** agent_response (sent with the first audio chunk, §1.4) then generated audio. */
  private async speak(text: string, audioMs: number): Promise<void> {
    const id = ++this.eventId;
    this.send({ type: 'agent_response', agent_response_event: { agent_response: text, event_id: id } });
    this.record.transcript.push({ role: 'agent', message: text, time_in_call_secs: this.callSecs(), source_medium: 'audio' });
    const chunkMs = this.agent.audioChunkMs;
    const payload = toneChunkBase64(this.record.announcedFormats.agent_output_audio_format, chunkMs);
    const chunks = Math.max(1, Math.ceil(audioMs / chunkMs));
    for (let i = 0; i < chunks; i++) {
      if (!this.isLive) return;
      this.sendAudio(payload, i === 0 ? id : ++this.eventId);
      if (this.agent.audioChunkIntervalMs > 0 && i < chunks - 1) await this.sleep(this.agent.audioChunkIntervalMs);
    }
  }

  private sendInterruption(staleAudioChunks: number): void {
    const interruptionId = ++this.eventId;
    this.send({ type: 'interruption', interruption_event: { event_id: interruptionId } });
    const lastAgent = this.lastAgentEntry();
    if (lastAgent !== undefined) lastAgent.interrupted = true;
    // Audio generated before the barge-in that is still in flight: older event_id, distinct tone.
    const stale = toneChunkBase64(this.record.announcedFormats.agent_output_audio_format, this.agent.audioChunkMs, STALE_TONE_HZ);
    for (let i = 0; i < staleAudioChunks; i++) this.sendAudio(stale, interruptionId - 1);
  }

  private sendCorrection(correction: NonNullable<ScriptTurn['correction']>): void {
    const lastAgent = this.lastAgentEntry();
    const original = correction.original ?? lastAgent?.message ?? '';
    this.send({
      type: 'agent_response_correction',
      agent_response_correction_event: {
        original_agent_response: original,
        corrected_agent_response: correction.corrected,
        event_id: ++this.eventId,
      },
    });
    if (lastAgent !== undefined) {
      lastAgent.original_message = original;
      lastAgent.message = correction.corrected;
      lastAgent.interrupted = true;
    }
  }

  private async callClientTool(spec: ClientToolCallSpec): Promise<void> {
    const toolCallId = spec.tool_call_id ?? `toolu_${randomBytes(12).toString('hex')}`;
    const parameters = spec.parameters ?? {};
    const startedAt = Date.now();
    this.send({
      type: 'client_tool_call',
      client_tool_call: { tool_name: spec.tool_name, tool_call_id: toolCallId, parameters, event_id: ++this.eventId },
    });
    const paramsJson = JSON.stringify(parameters);
    this.record.transcript.push({
      role: 'agent',
      message: null,
      time_in_call_secs: this.callSecs(),
      tool_calls: [
        {
          type: 'client',
          request_id: toolCallId,
          tool_name: spec.tool_name,
          params_as_json: paramsJson,
          tool_has_been_called: true,
          tool_details: { type: 'client', parameters: paramsJson },
        },
      ],
    });
    if (spec.tool_name === 'end_call') this.endCallRequested = true;
    if (spec.waitForResult === false) return;
    const result = await this.waitForToolResult(toolCallId);
    if (!this.isLive) return;
    this.record.transcript.push({
      role: 'agent',
      message: null,
      time_in_call_secs: this.callSecs(),
      tool_results: [
        {
          type: 'client',
          request_id: toolCallId,
          tool_name: spec.tool_name,
          result_value: result === undefined ? 'Tool call timed out.' : String(result.result),
          is_error: result === undefined ? true : result.is_error,
          tool_has_been_called: true,
          tool_latency_secs: (Date.now() - startedAt) / 1000,
        },
      ],
    });
  }

  // ---- text-only agent -------------------------------------------------------------------------

  private async replyText(userText: string): Promise<void> {
    if (!this.isLive) return;
    const reply = await this.agent.textReply(userText, this.record);
    if (!this.isLive) return;
    this.sendTextResponse(reply);
  }

  private sendTextResponse(reply: string): void {
    const id = ++this.eventId;
    const part = (text: string, type: 'start' | 'delta' | 'stop') =>
      this.send({ type: 'agent_chat_response_part', text_response_part: { text, type, event_id: id } });
    part('', 'start');
    for (const piece of reply.match(/\S+\s*/g) ?? []) part(piece, 'delta');
    part('', 'stop');
    this.send({ type: 'agent_response', agent_response_event: { agent_response: reply, event_id: id } });
    this.record.transcript.push({ role: 'agent', message: reply, time_in_call_secs: this.callSecs(), source_medium: 'text' });
  }

  // ---- waiting ---------------------------------------------------------------------------------

  private waitForUserAudio(bytes: number): Promise<void> {
    if (this.userAudioBytesThisTurn >= bytes) return Promise.resolve();
    return new Promise((resolve) => {
      this.audioWaiter = { bytes, resolve };
      this.wakeups.add(resolve);
    });
  }

  private waitForUserMessage(): Promise<void> {
    if (this.unconsumedUserMessages > 0) {
      this.unconsumedUserMessages--;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.messageWaiter = resolve;
      this.wakeups.add(resolve);
    });
  }

  private waitForToolResult(toolCallId: string): Promise<ClientToolResultRecord | undefined> {
    const early = this.record.toolResults.find((r) => r.tool_call_id === toolCallId);
    if (early !== undefined) return Promise.resolve(early);
    return new Promise((resolve) => {
      const done = (result: ClientToolResultRecord | undefined) => {
        this.toolWaiters.delete(toolCallId);
        this.wakeups.delete(wake);
        resolve(result);
      };
      const wake = () => done(undefined);
      this.toolWaiters.set(toolCallId, done);
      this.wakeups.add(wake);
      this.later(this.agent.toolResultTimeoutMs, wake);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.wakeups.delete(wake);
        resolve();
      };
      this.wakeups.add(wake);
      this.later(ms, wake);
    });
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Clears every timer and releases every pending wait (the script then sees the session is not live). */
  private stopTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    const wakeups = [...this.wakeups];
    this.wakeups.clear();
    this.audioWaiter = undefined;
    this.messageWaiter = undefined;
    for (const wake of wakeups) wake();
  }

  // ---- outbound --------------------------------------------------------------------------------

  private send(event: JsonObject): void {
    if (event.type !== 'audio' && event.type !== 'ping') this.record.sentEvents.push(event);
    this.sendRaw(JSON.stringify(event));
  }

  private sendAudio(payload: string, eventId: number): void {
    this.record.sentAudioChunks++;
    // Built by concatenation: `payload` is known to be base64, so no escaping is needed.
    this.sendRaw('{"type":"audio","audio_event":{"audio_base_64":"' + payload + '","event_id":' + eventId + '}}');
  }

  private sendRaw(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.record.sentMessageCount++;
    this.ws.send(text);
  }

  private lastAgentEntry() {
    for (let i = this.record.transcript.length - 1; i >= 0; i--) {
      const entry = this.record.transcript[i];
      if (entry.role === 'agent' && entry.message !== null) return entry;
    }
    return undefined;
  }

  private callSecs(): number {
    return Math.round((Date.now() - this.record.startedAtMs) / 100) / 10;
  }
}

function quoteSet(names: string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}
