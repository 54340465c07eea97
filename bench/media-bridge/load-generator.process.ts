// Twilio's side of N calls, in its own process: each call opens a signed media stream, sends
// `connected` + `start`, then a stamped 160-byte μ-law frame every 20 ms (stamp = call index and
// sequence number in the first 8 bytes, sent time kept here), echoes marks, and measures the round
// trip of every frame the echoing agent sends back. Calls are spread evenly over the 20 ms cycle,
// like real calls, instead of all firing on the same tick.
import { randomBytes, randomFillSync } from 'node:crypto';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { serveIpc } from './ipc.js';

export interface BenchCall {
  callSid: string;
  callId?: string;
  token?: string;
}

export interface RunSpec {
  mode: 'steady' | 'hangup';
  url: string;
  signature: string | null;
  accountSid: string;
  calls: BenchCall[];
  rampMs: number;
  warmupMs: number;
  windowMs: number;
  drainMs: number;
  /** hangup mode: each caller hangs up at a random moment this soon after `start`. */
  hangupWithinMs?: number;
}

export interface RunResult {
  calls: number;
  connected: number;
  refused: number;
  sent: number;
  received: number;
  lost: number;
  setupFramesLost: number;
  setupMs: { p50: number; p95: number; max: number };
  rttMs: { p50: number; p95: number; p99: number; max: number; count: number };
  misrouted: number;
  duplicates: number;
  marksEchoed: number;
  closedByServer: number;
}

const FRAME_MS = 20;
const FRAME_BYTES = 160;
const PAYLOAD_KEY = Buffer.from('"payload":"');
const MARK_EVENT = Buffer.from('"event":"mark"');

// The generator must not be the bottleneck: it writes its media frames as complete, masked
// WebSocket frames (random key, like any client) in one buffer, and re-encodes only the 12 base64
// characters of the stamp (9 bytes: a multiple of 3, so the rest of the payload's base64 is fixed).
const STAMP_BYTES = 9;
let maskPool = Buffer.alloc(0);
let maskOffset = 0;

function maskedTextFrame(payload: Buffer): Buffer {
  const len = payload.length;
  const ext = len < 126 ? 0 : 2;
  const out = Buffer.allocUnsafe(2 + ext + 4 + len);
  out[0] = 0x81;
  if (ext) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else out[1] = 0x80 | len;
  if (maskOffset + 4 > maskPool.length) {
    if (maskPool.length === 0) maskPool = Buffer.allocUnsafe(8192);
    randomFillSync(maskPool);
    maskOffset = 0;
  }
  const k = 2 + ext;
  maskPool.copy(out, k, maskOffset, maskOffset + 4);
  maskOffset += 4;
  for (let i = 0; i < len; i++) out[k + 4 + i] = payload[i] ^ out[k + (i & 3)];
  return out;
}

const B64 = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i));

/** Decodes the first 8 bytes of a base64 payload in place (call index, sequence number). */
function readStamp(data: Buffer, at: number): { index: number; seq: number } {
  const bytes: number[] = [];
  for (let i = 0; i < 12; i += 4) {
    const n = (B64[data[at + i]] << 18) | (B64[data[at + i + 1]] << 12) | (B64[data[at + i + 2]] << 6) | B64[data[at + i + 3]];
    bytes.push((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  }
  return {
    index: (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0,
    seq: (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0,
  };
}

function cpuNow(): number {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

class LoadCall {
  ws: WebSocket | undefined;
  readonly streamSid = 'MZ' + randomBytes(16).toString('hex');
  readonly frame = Buffer.alloc(FRAME_BYTES, 0xff);
  /** base64 of the frame's bytes after the stamp: the same for every frame of the call. */
  readonly payloadTail: string;
  sentAt: Float64Array;
  seen: Uint8Array;
  seq = 0;
  nextDue = 0;
  sending = false;
  startedAt = 0;
  firstEchoAt = 0;
  received = 0;
  refused = false;
  closedByServer = false;
  done = false;

  constructor(
    readonly index: number,
    readonly spec: BenchCall,
    maxFrames: number,
  ) {
    this.sentAt = new Float64Array(maxFrames);
    this.seen = new Uint8Array(maxFrames);
    this.frame.writeUInt32LE(index, 0);
    this.payloadTail = this.frame.subarray(STAMP_BYTES).toString('base64');
  }
}

async function run(spec: RunSpec): Promise<RunResult> {
  const n = spec.calls.length;
  const maxFrames = Math.ceil((spec.rampMs + spec.warmupMs + spec.windowMs + 2_000) / FRAME_MS);
  const calls = spec.calls.map((c, i) => new LoadCall(i, c, maxFrames));
  const t0 = performance.now() + 50;
  const windowStart = t0 + spec.rampMs + spec.warmupMs;
  const windowEnd = windowStart + spec.windowMs;
  const rtts = new Float64Array(Math.ceil(n * (spec.windowMs / FRAME_MS + 50)));
  let rttCount = 0;
  let misrouted = 0;
  let duplicates = 0;
  let marksEchoed = 0;
  let sent = 0;
  let received = 0;
  let sampledStart = false;

  const onMessage = (call: LoadCall, data: Buffer) => {
    const p = data.indexOf(PAYLOAD_KEY);
    if (p >= 0) {
      const start = p + PAYLOAD_KEY.length;
      const { index, seq } = readStamp(data, start);
      if (index !== call.index || seq >= call.seq) {
        misrouted++;
        return;
      }
      if (call.seen[seq]) {
        duplicates++;
        return;
      }
      call.seen[seq] = 1;
      const now = performance.now();
      if (call.firstEchoAt === 0) call.firstEchoAt = now;
      call.received++;
      received++;
      const sentAt = call.sentAt[seq];
      if (sentAt >= windowStart && sentAt < windowEnd && rttCount < rtts.length) rtts[rttCount++] = now - sentAt;
      return;
    }
    if (data.indexOf(MARK_EVENT) >= 0) {
      // Twilio echoes a mark when the audio before it has played; echoing at once is the cheap bound.
      const msg = JSON.parse(data.toString()) as { mark?: unknown };
      call.ws?.send(JSON.stringify({ event: 'mark', sequenceNumber: '0', streamSid: call.streamSid, mark: msg.mark }));
      marksEchoed++;
    }
  };

  const sendFrame = (call: LoadCall, now: number) => {
    const seq = call.seq++;
    call.frame.writeUInt32LE(seq, 4);
    call.sentAt[seq] = now;
    const ts = Math.round(now - call.startedAt);
    const json =
      '{"event":"media","sequenceNumber":"' +
      (seq + 2) +
      '","streamSid":"' +
      call.streamSid +
      '","media":{"track":"inbound","chunk":"' +
      (seq + 1) +
      '","timestamp":"' +
      ts +
      '","payload":"' +
      call.frame.toString('base64', 0, STAMP_BYTES) +
      call.payloadTail +
      '"}}';
    const ws = call.ws as unknown as { readyState: number; _socket: Socket | null };
    if (ws.readyState === WebSocket.OPEN && ws._socket) ws._socket.write(maskedTextFrame(Buffer.from(json, 'latin1')));
    sent++;
  };

  const connect = (call: LoadCall) => {
    const headers: Record<string, string> = {};
    if (spec.signature) headers['x-twilio-signature'] = spec.signature;
    const ws = new WebSocket(spec.url, { headers, perMessageDeflate: false });
    call.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      call.refused = true;
      call.done = true;
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('open', () => {
      ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
      ws.send(
        JSON.stringify({
          event: 'start',
          sequenceNumber: '1',
          streamSid: call.streamSid,
          start: {
            streamSid: call.streamSid,
            accountSid: spec.accountSid,
            callSid: call.spec.callSid,
            tracks: ['inbound'],
            customParameters: { sessionToken: call.spec.token ?? '', callId: call.spec.callId ?? '' },
            mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
          },
        }),
      );
      call.startedAt = performance.now();
      call.sending = true;
      // Spread the calls evenly over the 20 ms cycle: call i sends at phase i/n of it. (Starting
      // each at its open time would quantise them into a few phases, as calls open every
      // rampMs/n ms, and turn a steady load into bursts of dozens of frames per tick.)
      const phase = t0 + (call.index * FRAME_MS) / n;
      call.nextDue = phase + Math.ceil((call.startedAt - phase) / FRAME_MS) * FRAME_MS;
      if (spec.mode === 'hangup') {
        const after = Math.random() * (spec.hangupWithinMs ?? 300);
        setTimeout(() => {
          call.sending = false;
          call.done = true;
          if (call.index % 2 === 0) ws.terminate();
          else {
            ws.send(
              JSON.stringify({
                event: 'stop',
                sequenceNumber: '9',
                streamSid: call.streamSid,
                stop: { accountSid: spec.accountSid, callSid: call.spec.callSid },
              }),
            );
            ws.close();
          }
        }, after);
      }
    });
    ws.on('message', (data: Buffer) => onMessage(call, data));
    ws.on('close', () => {
      if (!call.done) call.closedByServer = true;
      call.sending = false;
    });
  };

  calls.forEach((call, i) => setTimeout(() => connect(call), Math.max(0, t0 + (i * spec.rampMs) / Math.max(1, n) - performance.now())));

  await new Promise<void>((resolve) => {
    const ticker = setInterval(() => {
      const now = performance.now();
      if (!sampledStart && now >= windowStart) {
        sampledStart = true;
        process.send?.({ event: 'window', phase: 'start', sent, received, cpuMicros: cpuNow() });
      }
      if (now >= windowEnd) {
        process.send?.({ event: 'window', phase: 'end', sent, received, cpuMicros: cpuNow() });
        clearInterval(ticker);
        resolve();
        return;
      }
      for (let i = 0; i < calls.length; i++) {
        const call = calls[i];
        if (!call.sending) continue;
        while (call.nextDue <= now && call.seq < maxFrames) {
          sendFrame(call, now);
          call.nextDue += FRAME_MS;
        }
      }
    }, 1);
  });
  for (const call of calls) call.sending = false;
  await new Promise((r) => setTimeout(r, spec.drainMs));

  let setupLost = 0;
  const setups: number[] = [];
  for (const call of calls) {
    if (call.firstEchoAt > 0) setups.push(call.firstEchoAt - call.startedAt);
    for (let s = 0; s < call.seq; s++) {
      if (call.sentAt[s] > (call.firstEchoAt || Infinity)) break;
      if (!call.seen[s] && spec.mode === 'steady') setupLost++;
    }
  }
  for (const call of calls) {
    call.done = true;
    const ws = call.ws;
    if (ws?.readyState === WebSocket.OPEN) {
      ws.send(
        JSON.stringify({ event: 'stop', sequenceNumber: '9', streamSid: call.streamSid, stop: { accountSid: spec.accountSid, callSid: call.spec.callSid } }),
      );
      ws.close();
    }
  }
  const sortedRtt = rtts.slice(0, rttCount).sort();
  const sortedSetup = Float64Array.from(setups).sort();
  return {
    calls: n,
    connected: calls.filter((c) => c.startedAt > 0).length,
    refused: calls.filter((c) => c.refused).length,
    sent,
    received,
    lost: spec.mode === 'steady' ? sent - received : 0,
    setupFramesLost: setupLost,
    setupMs: { p50: percentile(sortedSetup, 50), p95: percentile(sortedSetup, 95), max: sortedSetup[sortedSetup.length - 1] ?? NaN },
    rttMs: {
      p50: percentile(sortedRtt, 50),
      p95: percentile(sortedRtt, 95),
      p99: percentile(sortedRtt, 99),
      max: sortedRtt[sortedRtt.length - 1] ?? NaN,
      count: rttCount,
    },
    misrouted,
    duplicates,
    marksEchoed,
    closedByServer: calls.filter((c) => c.closedByServer).length,
  };
}

serveIpc(async (req) => {
  if (req.type === 'run') return run(req.spec as RunSpec);
  if (req.type === 'stop') {
    setImmediate(() => process.exit(0));
    return {};
  }
  throw new Error(`unknown request ${req.type}`);
});
process.send?.({ event: 'ready' });
