import { randomFillSync } from 'node:crypto';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

// Audio frames are written to the TCP socket as ONE complete WebSocket frame (RFC 6455 §5.2) in
// one buffer: `ws.send()` writes header and payload as two chunks through cork/writev and its
// Sender, which costs ~1.5 µs more per frame (bench/media-bridge, send-cost). Everything else —
// handshake, reading, control frames, close — stays with `ws`. Safe because compression is off on
// both sockets, so ws's Sender never queues (every write is synchronous and stays in order), and
// the socket's own buffer still counts in `ws.bufferedAmount`.

const MASK_POOL_SIZE = 8 * 1024;
let maskPool = Buffer.alloc(0);
let maskPoolOffset = MASK_POOL_SIZE;

/** A fresh masking key per frame, from a pool refilled with crypto-strong bytes (as `ws` does). */
function nextMaskOffset(): number {
  if (maskPoolOffset + 4 > maskPool.length) {
    if (maskPool.length === 0) maskPool = Buffer.allocUnsafe(MASK_POOL_SIZE);
    randomFillSync(maskPool);
    maskPoolOffset = 0;
  }
  const offset = maskPoolOffset;
  maskPoolOffset += 4;
  return offset;
}

/** One text frame (FIN, opcode 1) holding head + src[start, end) + tail; masked when sent by a client. */
export function buildTextFrame(head: Buffer, src: Buffer, start: number, end: number, tail: Buffer, masked: boolean): Buffer {
  const length = head.length + (end - start) + tail.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
  const out = Buffer.allocUnsafe(headerLength + length);
  out[0] = 0x81;
  if (lengthBytes === 0) out[1] = length;
  else if (lengthBytes === 2) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(0, 2);
    out.writeUInt32BE(length, 6);
  }
  let o = headerLength;
  head.copy(out, o);
  o += head.length;
  src.copy(out, o, start, end);
  o += end - start;
  tail.copy(out, o);
  if (masked) {
    out[1] |= 0x80;
    const m = nextMaskOffset();
    const k0 = maskPool[m];
    const k1 = maskPool[m + 1];
    const k2 = maskPool[m + 2];
    const k3 = maskPool[m + 3];
    out[headerLength - 4] = k0;
    out[headerLength - 3] = k1;
    out[headerLength - 2] = k2;
    out[headerLength - 1] = k3;
    let i = headerLength;
    const stop = headerLength + length;
    for (; i + 3 < stop; i += 4) {
      out[i] ^= k0;
      out[i + 1] ^= k1;
      out[i + 2] ^= k2;
      out[i + 3] ^= k3;
    }
    for (let j = 0; i < stop; i++, j++) out[i] ^= j === 0 ? k0 : j === 1 ? k1 : k2;
  }
  return out;
}

/** Writes pre-built frames to an open `ws` socket; `false` when it is not open (nothing written). */
export function writeRawFrame(ws: WebSocket, frame: Buffer): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (!socket || socket.destroyed) return false;
  socket.write(frame);
  return true;
}
