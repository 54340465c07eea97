// Twilio's side of one bidirectional Media Stream (docs/protocols.md §2.2–2.4,
// https://www.twilio.com/docs/voice/media-streams/websocket-messages): sends connected/start/media/
// dtmf/stop, plays back what the server sends on a simulated clock, and echoes marks like Twilio.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';
import { rawDataToString } from '../ws-raw-data.js';
import { MULAW_BYTES_PER_MS } from './mulaw-audio.js';
import { base64ByteLength, newTwilioSid } from './twilio-wire.js';

export interface MediaStreamSessionOptions {
  accountSid: string;
  callSid: string;
  streamSid?: string;
  customParameters?: Record<string, string>;
  /** Keep every received media payload (default true). Turn off for load tests. */
  recordMedia?: boolean;
  /** Called for every server `media` frame with its base64 payload and `process.hrtime.bigint()`. */
  onMedia?: (payload: string, receivedAt: bigint) => void;
  /** >1 plays buffered audio faster than real time (marks come back sooner). Default 1. */
  playbackSpeed?: number;
}

export interface MediaStreamStats {
  media: number;
  /** Decoded μ-law bytes received (counted from base64 length, never decoded). */
  bytes: number;
  marks: number;
  clears: number;
  marksEchoed: number;
  /** Buffered audio thrown away by `clear`, in ms of audio. */
  clearedMs: number;
  other: number;
  /** Twilio rejects binary frames (warning 31950); counted so tests can assert zero. */
  binaryFrames: number;
  malformed: number;
  wrongStreamSid: number;
  sentMedia: number;
}

export interface ServerStreamMessage {
  event: string;
  streamSid?: string;
  [key: string]: unknown;
}

/** The name of a mark the app sent, as it is echoed: the string (any other JSON value as its JSON text; none: ''). */
function markName(mark: unknown): string {
  const name = (mark as { name?: unknown } | undefined)?.name;
  if (name === undefined || name === null) return '';
  return typeof name === 'string' ? name : JSON.stringify(name);
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface StreamAudioOptions {
  /** Gap between frames; 0 sends as fast as possible. Default 20 (Twilio's observed cadence). */
  paceMs?: number;
  /** Default 160 bytes = 20 ms of μ-law. */
  frameBytes?: number;
  signal?: AbortSignal;
}

interface Waiter {
  predicate: (s: MediaStreamSession) => boolean;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class MediaStreamSession extends EventEmitter {
  readonly streamSid: string;
  readonly accountSid: string;
  readonly callSid: string;
  readonly customParameters: Record<string, string>;
  readonly received: MediaStreamStats = {
    media: 0,
    bytes: 0,
    marks: 0,
    clears: 0,
    marksEchoed: 0,
    clearedMs: 0,
    other: 0,
    binaryFrames: 0,
    malformed: 0,
    wrongStreamSid: 0,
    sentMedia: 0,
  };
  /** Server media payloads in arrival order (only with `recordMedia`). */
  readonly receivedPayloads: string[] = [];
  /** Every non-media server message (mark, clear, unknown...). */
  readonly controlMessages: ServerStreamMessage[] = [];
  /** Names of the marks echoed back, in echo order. */
  readonly echoedMarks: string[] = [];
  readonly closed: Promise<CloseInfo>;
  closeCode?: number;
  closeReason?: string;

  private sequence = 0;
  private chunk = 0;
  /** performance.now() when the stream started; media timestamps count from here. */
  startedAt = performance.now();
  private playheadEnd = 0;
  private pendingMarks: Array<{ name: string; dueAt: number }> = [];
  private markTimer?: NodeJS.Timeout;
  private waiters = new Set<Waiter>();
  private readonly recordMedia: boolean;
  private readonly playbackSpeed: number;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: MediaStreamSessionOptions,
  ) {
    super();
    this.streamSid = opts.streamSid ?? newTwilioSid('MZ');
    this.accountSid = opts.accountSid;
    this.callSid = opts.callSid;
    this.customParameters = { ...(opts.customParameters ?? {}) };
    this.recordMedia = opts.recordMedia ?? true;
    this.playbackSpeed = opts.playbackSpeed ?? 1;
    this.closed = new Promise<CloseInfo>((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.onClosed();
        resolve({ code, reason: this.closeReason });
      });
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    // Errors surface as a close; swallow them so an abrupt server reset does not crash the test.
    ws.on('error', (err) => this.emit('socketError', err));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends `connected` then `start` (docs/protocols.md §2.2). Called by `openMediaStream`. */
  start(): void {
    this.sendJson({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.startedAt = performance.now();
    this.sendJson({
      event: 'start',
      sequenceNumber: this.nextSequence(),
      streamSid: this.streamSid,
      start: {
        streamSid: this.streamSid,
        accountSid: this.accountSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        customParameters: this.customParameters,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
  }

  sendMedia(payloadBase64: string): boolean {
    const sent = this.sendJson({
      event: 'media',
      sequenceNumber: this.nextSequence(),
      streamSid: this.streamSid,
      media: {
        track: 'inbound',
        chunk: String(++this.chunk),
        timestamp: String(Math.round(performance.now() - this.startedAt)),
        payload: payloadBase64,
      },
    });
    if (sent) this.received.sentMedia++;
    return sent;
  }

  /**
   * Sends `audio` as media frames on a real-time clock. Frame i leaves at t0 + i*paceMs, so timer
   * lateness never accumulates; a late frame is sent at once (like Twilio's bunching under jitter).
   * Resolves with the number of frames sent (fewer if the socket closed or `signal` aborted).
   */
  async streamAudio(audio: Buffer, options: StreamAudioOptions = {}): Promise<number> {
    const paceMs = options.paceMs ?? 20;
    const frameBytes = options.frameBytes ?? 160;
    const frames = Math.ceil(audio.length / frameBytes);
    const t0 = performance.now();
    let sent = 0;
    for (let i = 0; i < frames; i++) {
      if (paceMs > 0) {
        const wait = t0 + i * paceMs - performance.now();
        if (wait > 0) await sleep(wait);
      } else if (i > 0 && i % 50 === 0) {
        await new Promise<void>((r) => setImmediate(r));
      }
      if (!this.isOpen || options.signal?.aborted) break;
      if (this.sendMedia(audio.subarray(i * frameBytes, (i + 1) * frameBytes).toString('base64'))) sent++;
    }
    return sent;
  }

  /** Caller pressed a key (bidirectional streams only). */
  sendDtmf(digit: string): boolean {
    return this.sendJson({
      event: 'dtmf',
      streamSid: this.streamSid,
      sequenceNumber: this.nextSequence(),
      dtmf: { track: 'inbound_track', digit },
    });
  }

  /** Anything, e.g. a malformed frame; strings go out as text frames. */
  sendRaw(data: string | Buffer): boolean {
    if (!this.isOpen) return false;
    this.ws.send(data);
    return true;
  }

  /** Call ended on Twilio's side: `stop` message, then a normal close. */
  async stop(): Promise<CloseInfo> {
    this.sendJson({
      event: 'stop',
      sequenceNumber: this.nextSequence(),
      streamSid: this.streamSid,
      stop: { accountSid: this.accountSid, callSid: this.callSid },
    });
    return this.close(1000, '');
  }

  async close(code = 1000, reason = ''): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason);
      const fallback = setTimeout(() => this.ws.terminate(), 2000);
      fallback.unref();
      const info = await this.closed;
      clearTimeout(fallback);
      return info;
    }
    return this.closed;
  }

  /** Network drop: TCP reset without a close frame (server sees 1006). */
  async hangUp(): Promise<CloseInfo> {
    this.ws.terminate();
    return this.closed;
  }

  /** Audio the server queued that has not "played" yet, in ms of audio. */
  bufferedPlaybackMs(): number {
    return Math.max(0, this.playheadEnd - performance.now()) * this.playbackSpeed;
  }

  /** Concatenated μ-law of all recorded server media. */
  receivedAudio(): Buffer {
    return Buffer.concat(this.receivedPayloads.map((p) => Buffer.from(p, 'base64')));
  }

  /** Resolves once `predicate(this)` holds; re-checked on every server message, mark echo and close. */
  waitFor(predicate: (s: MediaStreamSession) => boolean, timeoutMs = 5000): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    if (this.closeCode !== undefined) {
      return Promise.reject(new Error(`Media stream already closed (${this.closeCode})`));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`waitFor timed out after ${timeoutMs} ms (stats ${JSON.stringify(this.received)})`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private nextSequence(): string {
    return String(++this.sequence);
  }

  private sendJson(message: object): boolean {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.received.binaryFrames++;
      this.checkWaiters();
      return;
    }
    let msg: ServerStreamMessage;
    try {
      msg = JSON.parse(rawDataToString(data)) as ServerStreamMessage;
    } catch {
      this.received.malformed++;
      this.checkWaiters();
      return;
    }
    if (msg.streamSid !== this.streamSid) this.received.wrongStreamSid++;
    switch (msg.event) {
      case 'media':
        this.onServerMedia(msg);
        break;
      case 'mark':
        this.received.marks++;
        this.controlMessages.push(msg);
        this.queueMark(markName(msg.mark));
        break;
      case 'clear':
        this.received.clears++;
        this.controlMessages.push(msg);
        this.clearPlayback();
        break;
      default:
        this.received.other++;
        this.controlMessages.push(msg);
    }
    this.emit('message', msg);
    this.checkWaiters();
  }

  private onServerMedia(msg: ServerStreamMessage): void {
    const payload = (msg.media as { payload?: unknown } | undefined)?.payload;
    if (typeof payload !== 'string') {
      this.received.malformed++;
      return;
    }
    const bytes = base64ByteLength(payload);
    this.received.media++;
    this.received.bytes += bytes;
    if (this.recordMedia) this.receivedPayloads.push(payload);
    this.opts.onMedia?.(payload, process.hrtime.bigint());
    // Twilio buffers server audio and plays it in order in real time (docs/protocols.md §2.3).
    const now = performance.now();
    this.playheadEnd = Math.max(this.playheadEnd, now) + bytes / MULAW_BYTES_PER_MS / this.playbackSpeed;
  }

  // A mark comes back when the audio queued before it has played (docs/protocols.md §2.2).
  private queueMark(name: string): void {
    this.pendingMarks.push({ name, dueAt: Math.max(this.playheadEnd, performance.now()) });
    this.scheduleMarks();
  }

  private scheduleMarks(): void {
    if (this.markTimer || this.pendingMarks.length === 0 || !this.isOpen) return;
    const delay = Math.max(0, this.pendingMarks[0].dueAt - performance.now());
    this.markTimer = setTimeout(() => {
      this.markTimer = undefined;
      const now = performance.now();
      while (this.pendingMarks.length && this.pendingMarks[0].dueAt <= now + 1) this.echoMark(this.pendingMarks.shift()!.name);
      this.scheduleMarks();
      this.checkWaiters();
    }, delay);
  }

  // `clear` drops unplayed audio and returns every pending mark at once, like Twilio.
  private clearPlayback(): void {
    const now = performance.now();
    this.received.clearedMs += Math.max(0, this.playheadEnd - now) * this.playbackSpeed;
    this.playheadEnd = now;
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    for (const mark of this.pendingMarks.splice(0)) this.echoMark(mark.name);
  }

  private echoMark(name: string): void {
    if (this.sendJson({ event: 'mark', sequenceNumber: this.nextSequence(), streamSid: this.streamSid, mark: { name } })) {
      this.received.marksEchoed++;
      this.echoedMarks.push(name);
      this.emit('markEchoed', name);
    }
  }

  private checkWaiters(): void {
    for (const w of this.waiters) {
      if (w.predicate(this)) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  private onClosed(): void {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    this.pendingMarks = [];
    this.checkWaiters();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`Media stream closed (${this.closeCode} ${this.closeReason ?? ''}) before the condition held`));
    }
    this.waiters.clear();
    this.emit('closed', { code: this.closeCode, reason: this.closeReason });
  }
}
