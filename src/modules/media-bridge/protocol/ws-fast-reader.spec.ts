import { afterEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { waitFor } from '../../../../test/support/wait-for.js';
import { readTextFramesDirectly } from './ws-fast-reader.js';

// The fast reader against real `ws` peers on loopback: raw frames written byte by byte where a
// case needs it, every split of the stream, and the frames it must leave to `ws` (RFC 6455 §5).

interface FrameOptions {
  opcode?: number;
  fin?: boolean;
  masked?: boolean;
  rsv?: number;
  /** Force the 64-bit length form. */
  long?: boolean;
}

function frame(payload: Buffer | string, o: FrameOptions = {}): Buffer {
  const data = Buffer.from(payload);
  const { opcode = 1, fin = true, masked = true, rsv = 0, long = false } = o;
  const lengthBytes = long || data.length > 65_535 ? 8 : data.length > 125 ? 2 : 0;
  const head = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | rsv | opcode;
  if (lengthBytes === 0) head[1] = data.length;
  else if (lengthBytes === 2) {
    head[1] = 126;
    head.writeUInt16BE(data.length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(data.length), 2);
  }
  if (!masked) return Buffer.concat([head, data]);
  head[1] |= 0x80;
  const key = randomBytes(4);
  key.copy(head, head.length - 4);
  return Buffer.concat([head, Buffer.from(data.map((b, i) => b ^ key[i & 3]))]);
}

const rawSocket = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

interface Pair {
  server: WebSocket;
  client: WebSocket;
  atServer: string[];
  atClient: string[];
  serverClosed: Promise<number>;
  /** The close code the server sent, as the client saw it. */
  clientClosed: Promise<number>;
  receiverWrites: () => number;
}

let wss: WebSocketServer | undefined;
let open: WebSocket[] = [];

afterEach(async () => {
  open.forEach((ws) => ws.terminate());
  open = [];
  if (wss) await new Promise((r) => wss!.close(r));
  wss = undefined;
});

async function pair(options: { side: 'server' | 'client'; server?: ServerOptions; clientDeflate?: boolean }): Promise<Pair & { installed: boolean }> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, ...options.server });
  await new Promise((r) => wss!.once('listening', r));
  let installed = false;
  const connected = new Promise<WebSocket>((resolve) =>
    wss!.once('connection', (ws) => {
      if (options.side === 'server') installed = readTextFramesDirectly(ws, 'server');
      resolve(ws);
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: options.clientDeflate ?? false });
  client.once('open', () => {
    if (options.side === 'client') installed = readTextFramesDirectly(client, 'client');
  });
  const server = await connected;
  await new Promise((r) => (client.readyState === WebSocket.OPEN ? r(undefined) : client.once('open', r)));
  open.push(client, server);
  const atServer: string[] = [];
  const atClient: string[] = [];
  server.on('message', (d, binary) => atServer.push(binary ? `BINARY:${(d as Buffer).toString()}` : (d as Buffer).toString()));
  client.on('message', (d, binary) => atClient.push(binary ? `BINARY:${(d as Buffer).toString()}` : (d as Buffer).toString()));
  server.on('error', () => undefined);
  client.on('error', () => undefined);
  const reader = options.side === 'server' ? server : client;
  const receiver = (reader as unknown as { _receiver: { write: (...a: unknown[]) => boolean } })._receiver;
  let writes = 0;
  const original = receiver.write.bind(receiver);
  receiver.write = (...a: unknown[]) => {
    writes++;
    return original(...a);
  };
  const serverClosed = new Promise<number>((r) => server.once('close', (code) => r(code)));
  const clientClosed = new Promise<number>((r) => client.once('close', (code) => r(code)));
  return { server, client, atServer, atClient, serverClosed, clientClosed, receiverWrites: () => writes, installed };
}

/** Writes `bytes` to the socket in pieces ending at `cuts`, each piece its own TCP write (and usually read). */
async function writeInPieces(socket: Socket, bytes: Buffer, cuts: number[]): Promise<void> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    socket.write(bytes.subarray(from, cut));
    from = cut;
    await new Promise((r) => setImmediate(r));
  }
}

describe('readTextFramesDirectly', () => {
  const audio = (n: number) => `{"event":"media","media":{"payload":"${'AAEC'.repeat(n)}"}}`;

  it('should emit complete text frames itself, in order, whatever the TCP reads cut', async () => {
    const p = await pair({ side: 'server' });
    expect(p.installed).toBe(true);
    const messages = [audio(1), audio(40), audio(60), 'é ü ✓'];
    const bytes = Buffer.concat(messages.map((m) => frame(m)));
    await writeInPieces(rawSocket(p.client), bytes, []); // all in one write
    for (const cuts of [[1], [2, 3, 4, 5], [7, 180, 181], [bytes.length - 1]]) await writeInPieces(rawSocket(p.client), bytes, cuts);
    await waitFor(() => p.atServer.length === 20, 3_000, '20 messages');
    expect(p.atServer).toEqual(Array.from({ length: 5 }, () => messages).flat());
    expect(p.receiverWrites()).toBe(0); // ws's Receiver never saw them
  });

  it('should assemble a frame that arrives one byte per TCP write', async () => {
    const p = await pair({ side: 'server' });
    const message = audio(50);
    const bytes = Buffer.concat([frame(message), frame('next')]);
    let reads = 0;
    rawSocket(p.server).on('data', () => reads++);
    await writeInPieces(
      rawSocket(p.client),
      bytes,
      Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
    );
    await waitFor(() => p.atServer.length === 2, 3_000, '2 messages');
    expect(reads).toBeGreaterThan(20); // the frames did arrive in pieces
    expect(p.atServer).toEqual([message, 'next']);
    expect(p.receiverWrites()).toBe(0);
  });

  it('should leave pings, fragmented and binary messages to ws, keeping the order', async () => {
    const p = await pair({ side: 'server' });
    let pongs = 0;
    p.client.on('pong', () => pongs++);
    const bytes = Buffer.concat([
      frame('one'),
      frame('ping!', { opcode: 9 }),
      frame('two-', { fin: false }),
      frame('still two-', { opcode: 0, fin: false }),
      frame('three', { opcode: 0 }), // a data frame while ws owns the message: continuation
      frame('bin', { opcode: 2 }),
      frame('four'),
    ]);
    await writeInPieces(rawSocket(p.client), bytes, [9, 20]);
    await waitFor(() => p.atServer.length === 4 && pongs === 1, 3_000, '4 messages and a pong');
    expect(p.atServer).toEqual(['one', 'two-still two-three', 'BINARY:bin', 'four']);
  });

  it('should let ws refuse what it refuses: invalid UTF-8 (1007), an unmasked client frame (1002), RSV bits (1002)', async () => {
    for (const [bad, code] of [
      [frame(Buffer.from([0x7b, 0xff, 0x7d])), 1007],
      [frame('unmasked', { masked: false }), 1002],
      [frame('rsv', { rsv: 0x40 }), 1002],
    ] as const) {
      const p = await pair({ side: 'server' });
      rawSocket(p.client).write(Buffer.concat([frame('before'), bad, frame('after')]));
      expect(await p.clientClosed).toBe(code);
      expect(p.atServer).toEqual(['before']);
      open.forEach((ws) => ws.terminate());
      await new Promise((r) => wss!.close(r));
      wss = undefined;
    }
  });

  it('should stop at a close frame like ws, ignoring what follows', async () => {
    const p = await pair({ side: 'server' });
    const closeBody = Buffer.from([0x0f, 0xa0]); // 4000
    rawSocket(p.client).write(Buffer.concat([frame('before'), frame(closeBody, { opcode: 8 }), frame('after')]));
    expect(await p.serverClosed).toBe(4000);
    await new Promise((r) => setTimeout(r, 50));
    expect(p.atServer).toEqual(['before']);
  });

  it('should hand 64-bit lengths to ws for good: within maxPayload delivered, beyond refused (1009)', async () => {
    const p = await pair({ side: 'server', server: { maxPayload: 1_000 } });
    await writeInPieces(rawSocket(p.client), Buffer.concat([frame('small'), frame('long form', { long: true }), frame('after')]), [20]);
    await waitFor(() => p.atServer.length === 3, 3_000, '3 messages');
    expect(p.atServer).toEqual(['small', 'long form', 'after']);
    rawSocket(p.client).write(frame('x'.repeat(2_000)));
    expect(await p.clientClosed).toBe(1009);
  });

  it("should leave a frame beyond the socket's maxPayload to ws, which refuses it (1009)", async () => {
    const p = await pair({ side: 'server', server: { maxPayload: 1_000 } });
    rawSocket(p.client).write(Buffer.concat([frame('fits'), frame('x'.repeat(1_001)), frame('after')]));
    expect(await p.clientClosed).toBe(1009);
    expect(p.atServer).toEqual(['fits']);
  });

  it('should read unmasked frames on the client side', async () => {
    const p = await pair({ side: 'client' });
    expect(p.installed).toBe(true);
    const messages = [`{"type":"audio","audio_event":{"audio_base_64":"${'AAEC'.repeat(50)}","event_id":3}}`, '{"type":"ping","ping_event":{"event_id":4}}'];
    const bytes = Buffer.concat(messages.map((m) => frame(m, { masked: false })));
    await writeInPieces(rawSocket(p.server), bytes, [3, 100]);
    p.server.send('via ws.send');
    await waitFor(() => p.atClient.length === 3, 3_000, '3 messages');
    expect(p.atClient).toEqual([...messages, 'via ws.send']);
    expect(p.receiverWrites()).toBe(0);
  });

  it('should not take over when compression was negotiated', async () => {
    const p = await pair({ side: 'client', server: { perMessageDeflate: true }, clientDeflate: true });
    expect(p.installed).toBe(false);
    p.server.send('compressed');
    await waitFor(() => p.atClient.length === 1, 3_000, '1 message');
  });
});
