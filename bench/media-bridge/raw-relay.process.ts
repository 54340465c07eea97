// An experiment, not a product: how cheap can a relay on Node's sockets get? `ws` does both
// handshakes; then the relay takes the two TCP sockets from it and does the rest by hand: its own
// WebSocket frame parsing (single-frame text messages only; anything else is ignored), the
// bridge's byte scan and frame build (src/modules/media-bridge/protocol), one write per frame.
// No auth, no buffering, no back-pressure, no close handling worth the name. It tells what `ws`'s
// receiving side and Node's event dispatch per message cost in this harness
// (`npm run bench:media -- --raw`): the floor below the plain relay.
import http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { TwilioFrameBuilder, userAudioWsFrame } from '../../src/modules/media-bridge/protocol/frame-build.js';
import { FrameSpan, scanAgentAudio, scanTwilioMedia } from '../../src/modules/media-bridge/protocol/frame-scan.js';
import { buildTextFrame } from '../../src/modules/media-bridge/protocol/ws-frame.js';
import { eventLoopDelay, gcStats, serveIpc, usage } from './ipc.js';

const fakeBaseUrl = process.env.ELEVENLABS_API_BASE_URL!;
const EMPTY = Buffer.alloc(0);

async function signedUrl(): Promise<string> {
  const res = await fetch(`${fakeBaseUrl}/v1/convai/conversation/get-signed-url?agent_id=bench-agent`, { headers: { 'xi-api-key': 'bench-key' } });
  return ((await res.json()) as { signed_url: string }).signed_url;
}

/** Calls `onText(payload)` for each complete single-frame text message in the socket's byte stream; unmasks in place. */
function readFrames(socket: Socket, onText: (payload: Buffer) => void): void {
  let pending = EMPTY;
  socket.removeAllListeners('data');
  socket.on('data', (chunk: Buffer) => {
    const buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    for (;;) {
      if (buf.length - at < 2) break;
      const b0 = buf[at];
      const b1 = buf[at + 1];
      let len = b1 & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - at < 4) break;
        len = buf.readUInt16BE(at + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - at < 10) break;
        len = buf.readUInt32BE(at + 6);
        head = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const start = at + head + (masked ? 4 : 0);
      if (buf.length < start + len) break;
      const payload = buf.subarray(start, start + len);
      if (masked) {
        const m = at + head;
        for (let i = 0; i < len; i++) payload[i] ^= buf[m + (i & 3)];
      }
      if ((b0 & 0x0f) === 1 && (b0 & 0x80) !== 0) onText(payload);
      at = start + len;
    }
    pending = at < buf.length ? Buffer.from(buf.subarray(at)) : EMPTY;
  });
}

function rawSocket(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket;
}

function relay(twilio: WebSocket): void {
  let frames: TwilioFrameBuilder | null = null;
  let el: Socket | null = null;
  const span = new FrameSpan();
  const twilioSocket = rawSocket(twilio);
  void signedUrl().then(
    (url) => {
      const upstream = new WebSocket(url, { perMessageDeflate: false });
      upstream.on('open', () => {
        upstream.send(JSON.stringify({ type: 'conversation_initiation_client_data' }));
        el = rawSocket(upstream);
        readFrames(el, (msg) => {
          if (scanAgentAudio(msg, span)) {
            if (frames) twilioSocket.write(frames.mediaWsFrame(msg, span.start, span.end));
            return;
          }
          const parsed = JSON.parse(msg.toString()) as { type: string; ping_event?: { event_id: number } };
          if (parsed.type === 'ping') {
            const pong = Buffer.from(`{"type":"pong","event_id":${parsed.ping_event!.event_id}}`);
            el!.write(buildTextFrame(pong, EMPTY, 0, 0, EMPTY, true));
          }
        });
      });
      upstream.on('error', () => undefined);
    },
    () => undefined,
  );
  readFrames(twilioSocket, (msg) => {
    if (scanTwilioMedia(msg, span)) {
      if (el) el.write(userAudioWsFrame(msg, span.start, span.end));
      return;
    }
    const parsed = JSON.parse(msg.toString()) as { event: string; start?: { streamSid: string } };
    if (parsed.event === 'start') frames = new TwilioFrameBuilder(parsed.start!.streamSid);
    else if (parsed.event === 'stop') el?.destroy();
  });
  twilioSocket.on('close', () => el?.destroy());
  twilio.on('error', () => undefined);
}

async function main(): Promise<void> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/media-stream', perMessageDeflate: false });
  wss.on('connection', relay);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  serveIpc((req) => {
    switch (req.type) {
      case 'info':
        return { port, pid: process.pid };
      case 'usage':
        return { ...usage(), loopDelay: eventLoopDelay(), gc: gcStats() };
      case 'stop':
        setImmediate(() => process.exit(0));
        return {};
      default:
        return {};
    }
  });
  process.send?.({ event: 'ready' });
}

void main();
