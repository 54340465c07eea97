import { afterEach, describe, expect, it } from '@jest/globals';
import type { WebSocket } from 'ws';
import { MAX_SOCKET_BUFFERED_BYTES } from '../media-bridge.constants.js';
import { BridgeCounters } from './bridge-counters.js';
import { FrameQueue } from './frame-queue.js';
import { TwilioMediaWriter } from './twilio-media.writer.js';

// A stand-in for a `ws` server socket: records what the writer puts on the wire.
class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly wire: Array<{ event?: string; mark?: { name?: string }; [field: string]: unknown }> = [];
  readonly _socket = { destroyed: false, write: (frame: Buffer) => this.wire.push(JSON.parse(frame.subarray(frame[1] === 126 ? 4 : 2).toString())) };
  send(text: string): void {
    this.wire.push(JSON.parse(text));
  }
  get events(): string[] {
    return this.wire.map((m) => (m.event === 'mark' ? `mark:${m.mark?.name ?? ''}` : (m.event ?? '')));
  }
}

const SID = 'MZ' + 'f'.repeat(32);
const chunk = Buffer.from(Buffer.alloc(800, 0x55).toString('base64')); // 100 ms of μ-law

describe(TwilioMediaWriter.name, () => {
  let writer: TwilioMediaWriter | undefined;
  afterEach(() => writer?.dispose());

  it('should send media with our streamSid and a mark after every 500 ms of audio', () => {
    const ws = new FakeSocket();
    writer = new TwilioMediaWriter(ws as unknown as WebSocket, SID, new BridgeCounters());
    for (let id = 1; id <= 10; id++) writer.sendAudio(chunk, 0, chunk.length, id);
    expect(ws.events).toEqual(['media', 'media', 'media', 'media', 'media', 'mark:0:5', 'media', 'media', 'media', 'media', 'media', 'mark:0:10']);
    expect(ws.wire[0]).toEqual({ event: 'media', streamSid: SID, media: { payload: chunk.toString() } });
  });

  it('should only count marks of the current generation as heard (a clear returns pending marks unplayed)', () => {
    const ws = new FakeSocket();
    writer = new TwilioMediaWriter(ws as unknown as WebSocket, SID, new BridgeCounters());
    writer.onMarkEchoed('0:5');
    expect(writer.heardEventId).toBe(5);
    writer.clear();
    writer.onMarkEchoed('0:10'); // echoed because of the clear: never played
    expect(writer.heardEventId).toBe(5);
    writer.onMarkEchoed('1:12');
    expect(writer.heardEventId).toBe(12);
    expect(ws.events).toContain('clear');
  });

  it('should queue audio while the socket is congested, drop the oldest beyond the bound, and flush later', async () => {
    const ws = new FakeSocket();
    const counters = new BridgeCounters();
    writer = new TwilioMediaWriter(ws as unknown as WebSocket, SID, counters);
    ws.bufferedAmount = MAX_SOCKET_BUFFERED_BYTES + 1;
    for (let id = 1; id <= 2_100; id++) writer.sendAudio(chunk, 0, chunk.length, id);
    expect(ws.wire).toHaveLength(0);
    expect(counters.agentFramesDropped).toBeGreaterThan(0); // bounded: 20 s of audio at most
    ws.bufferedAmount = 0;
    await new Promise((r) => setTimeout(r, 60));
    expect(counters.agentFramesRelayed + counters.agentFramesDropped).toBe(2_100);
  });

  it('should send audio that arrived before the stream first, and resolve playedOut on the end mark', async () => {
    const early = new FrameQueue(10, 100_000);
    early.push(chunk);
    const ws = new FakeSocket();
    writer = new TwilioMediaWriter(ws as unknown as WebSocket, SID, new BridgeCounters(), early);
    expect(ws.events).toEqual(['media']);
    const played = writer.playedOut();
    expect(ws.events).toEqual(['media', 'mark:end']);
    writer.onMarkEchoed('end');
    await expect(played).resolves.toBeUndefined();
  });
});
