import type { WebSocket } from 'ws';
import { CALLER_QUEUE_LIMIT, START_TIMEOUT_MS } from '../media-bridge.constants.js';
import type { UpgradeVerdict } from '../media-stream-authenticator.service.js';
import { parseStreamStart, type StreamStart } from '../media-stream-auth.js';
import { FrameSpan, scanTwilioMedia } from '../protocol/frame-scan.js';
import { FrameQueue } from './frame-queue.js';

export interface PendingStreamHandlers {
  onStart(stream: PendingStream, start: StreamStart): void;
  /** No well-formed `start` in time (or a malformed one). */
  onNoStart(stream: PendingStream, reason: 'timeout' | 'malformed'): void;
  onClosed(stream: PendingStream): void;
}

/**
 * A Twilio media stream between the upgrade and the end of its authentication: it waits for
 * `start` (closed after START_TIMEOUT_MS without one) and keeps the caller's audio that arrives
 * meanwhile, so the first words survive the token check and the ElevenLabs setup.
 */
export class PendingStream {
  readonly callerAudio = new FrameQueue(CALLER_QUEUE_LIMIT.frames, CALLER_QUEUE_LIMIT.base64Bytes);
  startedAt: number | undefined;
  /** The caller is gone (socket closed, or Twilio sent `stop`). */
  closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly span = new FrameSpan();

  constructor(
    readonly ws: WebSocket,
    readonly verdict: UpgradeVerdict,
    private readonly handlers: PendingStreamHandlers,
  ) {
    ws.on('message', this.onMessage);
    ws.once('close', this.onClose);
    this.timer = setTimeout(() => this.handlers.onNoStart(this, 'timeout'), START_TIMEOUT_MS);
  }

  /** Other frames after `start` (dtmf, ...), replayed to the session in order. */
  readonly earlyFrames: Buffer[] = [];

  /** Stops listening; the session takes the socket and what was kept so far. */
  handOver(): { callerAudio: FrameQueue; earlyFrames: Buffer[] } {
    this.release();
    return { callerAudio: this.callerAudio, earlyFrames: this.earlyFrames };
  }

  release(): void {
    clearTimeout(this.timer);
    this.ws.off('message', this.onMessage);
    this.ws.off('close', this.onClose);
  }

  private readonly onMessage = (data: Buffer): void => {
    if (scanTwilioMedia(data, this.span)) {
      if (this.startedAt !== undefined) this.callerAudio.push(data.subarray(this.span.start, this.span.end));
      return;
    }
    let msg: { event?: string };
    try {
      msg = JSON.parse(data.toString('utf8')) as typeof msg;
    } catch {
      return;
    }
    if (msg?.event === 'stop') {
      this.closed = true;
    } else if (msg?.event === 'start' && this.startedAt === undefined) {
      clearTimeout(this.timer);
      const start = parseStreamStart(msg);
      if (!start) {
        this.handlers.onNoStart(this, 'malformed');
        return;
      }
      this.startedAt = performance.now();
      this.handlers.onStart(this, start);
    } else if (msg?.event === 'dtmf' && this.startedAt !== undefined) {
      if (this.earlyFrames.length < 20) this.earlyFrames.push(data);
    } else if (msg?.event === 'media' && this.startedAt !== undefined) {
      // A media frame the fast scanner did not take (unusual key order): keep it all the same.
      const payload = (msg as { media?: { payload?: unknown } }).media?.payload;
      if (typeof payload === 'string' && /^[A-Za-z0-9+/=]*$/.test(payload)) this.callerAudio.push(Buffer.from(payload, 'latin1'));
    }
  };

  private readonly onClose = (): void => {
    this.closed = true;
    clearTimeout(this.timer);
    this.handlers.onClosed(this);
  };
}
