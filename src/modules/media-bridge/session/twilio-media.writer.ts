import type { WebSocket } from 'ws';
import { AGENT_QUEUE_LIMIT, MARK_EVERY_AUDIO_BYTES, MAX_SOCKET_BUFFERED_BYTES, QUEUE_RETRY_MS } from '../media-bridge.constants.js';
import { TwilioFrameBuilder } from '../protocol/frame-build.js';
import { base64SpanBytes } from '../protocol/frame-scan.js';
import { writeRawFrame } from '../protocol/ws-frame.js';
import type { BridgeCounters } from './bridge-counters.js';
import { FrameQueue } from './frame-queue.js';

const END_MARK = 'end';

/**
 * Everything we send on one Twilio media stream (docs/protocols.md §2.3): agent audio, `clear` on barge-in,
 * and `mark`s. A mark named `<generation>:<event_id>` follows every 500 ms of audio; Twilio echoes
 * it once that audio has played, so `heardEventId` is what the caller really heard. Marks pending at
 * a `clear` are echoed at once without having played (§2.2), which the generation tells apart.
 * When the socket's send buffer is congested, audio waits in a bounded queue (oldest dropped).
 */
export class TwilioMediaWriter {
  heardEventId = 0;
  firstAudioAt: number | undefined;
  private readonly frames: TwilioFrameBuilder;
  private readonly queue: FrameQueue;
  private queuedEventId = 0;
  private generation = 0;
  private bytesSinceMark = 0;
  private playheadEnd = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private endMarkWanted = false;
  private endMarkWaiters: Array<() => void> = [];

  constructor(
    private readonly ws: WebSocket,
    streamSid: string,
    private readonly counters: BridgeCounters,
    earlyAudio?: FrameQueue,
  ) {
    this.frames = new TwilioFrameBuilder(streamSid);
    this.queue = earlyAudio ?? new FrameQueue(AGENT_QUEUE_LIMIT.frames, AGENT_QUEUE_LIMIT.base64Bytes);
    if (this.queue.size > 0) this.flush();
  }

  /** Hot path. */
  sendAudio(src: Buffer, start: number, end: number, eventId: number): void {
    if (this.queue.size > 0 || this.ws.bufferedAmount > MAX_SOCKET_BUFFERED_BYTES) {
      const before = this.queue.dropped;
      this.queue.push(src.subarray(start, end));
      this.counters.agentFramesDropped += this.queue.dropped - before;
      this.queuedEventId = eventId;
      this.scheduleRetry();
      return;
    }
    this.write(src, start, end, eventId);
  }

  /** Barge-in: Twilio drops what it has buffered, and so do we. */
  clear(): void {
    this.counters.agentFramesCleared += this.queue.clear();
    this.generation++;
    this.bytesSinceMark = 0;
    this.playheadEnd = 0;
    this.ws.send(this.frames.clear());
  }

  onMarkEchoed(name: string): void {
    if (name === END_MARK) {
      const waiters = this.endMarkWaiters;
      this.endMarkWaiters = [];
      for (const wake of waiters) wake();
      return;
    }
    const colon = name.indexOf(':');
    if (colon > 0 && Number(name.slice(0, colon)) === this.generation) {
      const eventId = Number(name.slice(colon + 1));
      if (eventId > this.heardEventId) this.heardEventId = eventId;
    }
  }

  /** Resolves once everything sent so far has played (or was cleared). */
  playedOut(): Promise<void> {
    return new Promise((resolve) => {
      this.endMarkWaiters.push(resolve);
      this.endMarkWanted = true;
      if (this.queue.size === 0) this.sendEndMark();
    });
  }

  /** Our estimate of the agent audio Twilio still has to play, in ms (8 μ-law bytes per ms). */
  pendingPlayoutMs(): number {
    const queuedMs = (this.queue.byteLength * 3) / 4 / 8;
    return Math.max(0, this.playheadEnd - performance.now()) + queuedMs;
  }

  dispose(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.onMarkEchoed(END_MARK);
  }

  private write(src: Buffer, start: number, end: number, eventId: number): void {
    writeRawFrame(this.ws, this.frames.mediaWsFrame(src, start, end));
    this.counters.agentFramesRelayed++;
    const bytes = base64SpanBytes(src, start, end);
    const now = performance.now();
    if (this.firstAudioAt === undefined) this.firstAudioAt = now;
    this.playheadEnd = (this.playheadEnd > now ? this.playheadEnd : now) + bytes / 8;
    this.bytesSinceMark += bytes;
    if (this.bytesSinceMark >= MARK_EVERY_AUDIO_BYTES) {
      this.bytesSinceMark = 0;
      this.counters.marksSent++;
      this.ws.send(this.frames.mark(this.generation + ':' + eventId));
    }
  }

  private sendEndMark(): void {
    if (!this.endMarkWanted) return;
    this.endMarkWanted = false;
    this.ws.send(this.frames.mark(END_MARK));
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
    }, QUEUE_RETRY_MS);
  }

  private flush(): void {
    while (this.queue.size > 0 && this.ws.bufferedAmount <= MAX_SOCKET_BUFFERED_BYTES) {
      const payload = this.queue.shift()!;
      this.write(payload, 0, payload.length, this.queue.size === 0 ? this.queuedEventId : 0);
    }
    if (this.queue.size > 0) this.scheduleRetry();
    else this.sendEndMark();
  }
}
