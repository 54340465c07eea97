import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { buildTextFrame, writeRawFrame } from './ws-frame.js';

// Raw frames must be indistinguishable from ws.send() for a real `ws` peer, in both directions.
describe('ws-frame', () => {
  let wss: WebSocketServer;
  let server: WebSocket;
  let client: WebSocket;
  const atServer: string[] = [];
  const atClient: string[] = [];

  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise((r) => wss.once('listening', r));
    const connected = new Promise<WebSocket>((r) => wss.once('connection', r));
    client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: false });
    server = await connected;
    await new Promise((r) => client.once('open', r));
    server.on('message', (d, binary) => atServer.push(binary ? 'BINARY' : (d as Buffer).toString()));
    client.on('message', (d, binary) => atClient.push(binary ? 'BINARY' : (d as Buffer).toString()));
  });

  afterAll(async () => {
    client.terminate();
    await new Promise((r) => wss.close(r));
  });

  const head = Buffer.from('{"x":"');
  const tail = Buffer.from('"}');
  const bodies = [0, 1, 2, 3, 117, 118, 200, 65_527, 70_001].map((n) => 'ab+/'.repeat(Math.ceil(n / 4)).slice(0, n));

  it.each([
    ['client -> server (masked)', true],
    ['server -> client (unmasked)', false],
  ])('should deliver every length exactly (%s)', async (_case, masked) => {
    const sink = masked ? atServer : atClient;
    sink.length = 0;
    for (const body of bodies) {
      const src = Buffer.from(`--${body}--`);
      expect(writeRawFrame(masked ? client : server, buildTextFrame(head, src, 2, 2 + body.length, tail, masked))).toBe(true);
    }
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const check = () => (sink.length >= bodies.length ? resolve() : Date.now() - started > 3000 ? reject(new Error('timeout')) : setTimeout(check, 5));
      check();
    });
    expect(sink).toEqual(bodies.map((b) => `{"x":"${b}"}`));
  });

  it('should refuse to write on a socket that is not open', () => {
    const closed = new WebSocket('ws://127.0.0.1:1');
    closed.on('error', () => undefined);
    expect(writeRawFrame(closed, buildTextFrame(head, Buffer.from('a'), 0, 1, tail, true))).toBe(false);
    closed.terminate();
  });
});
