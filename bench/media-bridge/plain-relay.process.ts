// The floor: a plain `ws`-to-`ws` relay written the straightforward way (the shape of the official
// ElevenLabs' official Node Twilio bridge example): JSON.parse every frame, JSON.stringify every frame,
// open the ElevenLabs socket when Twilio connects, drop caller audio until it is open, no auth,
// no buffering, no back-pressure, no database. It measures what relaying costs at the least.
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { eventLoopDelay, gcStats, serveIpc, startProfiling, stopProfiling, usage } from './ipc.js';

const fakeBaseUrl = process.env.ELEVENLABS_API_BASE_URL!;
const agentId = process.env.AGENT_ID ?? 'bench-agent';
const apiKey = process.env.ELEVENLABS_API_KEY ?? 'bench-key';

async function signedUrl(): Promise<string> {
  const res = await fetch(`${fakeBaseUrl}/v1/convai/conversation/get-signed-url?agent_id=${agentId}`, { headers: { 'xi-api-key': apiKey } });
  const body = (await res.json()) as { signed_url: string };
  return body.signed_url;
}

function relay(twilio: WebSocket): void {
  let streamSid: string | null = null;
  let el: WebSocket | null = null;
  void signedUrl().then(
    (url) => {
      el = new WebSocket(url);
      el.on('open', () => el!.send(JSON.stringify({ type: 'conversation_initiation_client_data' })));
      // binaryType is the default 'nodebuffer': every message is one Buffer.
      el.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString()) as {
          type: string;
          audio_event: { audio_base_64: string }; // on type 'audio'
          ping_event: { event_id: number }; // on type 'ping'
        };
        if (msg.type === 'audio' && streamSid) {
          twilio.send(JSON.stringify({ event: 'media', streamSid, media: { payload: msg.audio_event.audio_base_64 } }));
        } else if (msg.type === 'ping') {
          el!.send(JSON.stringify({ type: 'pong', event_id: msg.ping_event.event_id }));
        }
      });
      el.on('error', () => undefined);
    },
    () => undefined,
  );
  twilio.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as {
      event: string;
      start: { streamSid: string }; // on event 'start'
      media: { payload: string }; // on event 'media'
    };
    if (msg.event === 'start') streamSid = msg.start.streamSid;
    else if (msg.event === 'media' && el?.readyState === WebSocket.OPEN) el.send(JSON.stringify({ user_audio_chunk: msg.media.payload }));
    else if (msg.event === 'stop' && el?.readyState === WebSocket.OPEN) el.close();
  });
  twilio.on('close', () => {
    if (el?.readyState === WebSocket.OPEN) el.close();
  });
  twilio.on('error', () => undefined);
}

async function main(): Promise<void> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/media-stream' });
  wss.on('connection', relay);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  serveIpc(async (req) => {
    switch (req.type) {
      case 'info':
        return { port, pid: process.pid };
      case 'usage':
        return { ...usage(), loopDelay: eventLoopDelay(), gc: gcStats() };
      case 'profile-start':
        return startProfiling();
      case 'profile-stop':
        return stopProfiling(String(req.file));
      case 'stop':
        setImmediate(() => process.exit(0));
        return {};
      default:
        throw new Error(`unknown request ${req.type}`);
    }
  });
  process.send?.({ event: 'ready' });
}

void main();
