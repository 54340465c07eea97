import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import bufferUtil from 'bufferutil';
import { WebSocket } from 'ws';

// The receiving half of ws-frame.ts. Nearly every message on the two sockets of a call is a small
// text frame (audio), 50 a second each way. `ws` parses each one through its Receiver, a Writable
// stream with its own buffering and events; reading the frames here took the bridge from
// 0.95–1.1× to 0.76–1.03× (mostly 0.82–0.93×) the plain relay's CPU per frame in bench:media.
// This reader takes the socket's bytes first: a complete, unfragmented, valid UTF-8 text frame is
// emitted as the WebSocket's 'message' at once, exactly as `ws` would emit it. Every other frame
// (control frames, fragments, binary, bad masking or RSV bits, invalid UTF-8, beyond maxPayload,
// 64-bit lengths) is handed byte for byte to `ws`'s own socket listener, so pings, closes, limits
// and protocol errors keep `ws`'s behaviour (RFC 6455 §5). Frames keep their order either way.

/**
 * Receiver fields that tell whether `ws` is between frames (ws 8, lib/receiver.js). `ws` is pinned
 * in package.json; ws-fast-reader.spec.ts fails if an upgrade changes what is read here.
 */
interface ReceiverState {
  _state?: number;
  _bufferedBytes?: number;
  _fragments?: unknown[];
  /** Set synchronously when a frame is refused; the 'error' event follows a tick later. */
  _errored?: boolean;
  /** The socket's message size limit (0: none); larger frames are `ws`'s to refuse (1009). */
  _maxPayload?: number;
  once(event: 'conclude' | 'error', listener: () => void): unknown;
}

type DataListener = (this: Socket, chunk: Buffer) => void;

const GET_INFO = 0; // ws's receiver state "expecting a new frame header"

class FastFrameReader {
  /**
   * Bytes of a frame not complete yet (a frame split across TCP reads), joined only once `needed`
   * bytes are there: a peer trickling a large frame byte by byte costs no quadratic copying.
   */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private needed = 0;
  /** A fragmented message is in progress: its frames belong to `ws` until its last one. */
  private wsOwnsMessage = false;
  /** `ws` stopped reading (close frame received, protocol error, socket closed): so do we. */
  private stopped = false;
  private readonly maxPayload: number;

  constructor(
    private readonly ws: WebSocket,
    private readonly receiver: ReceiverState,
    private readonly socket: Socket,
    private readonly wsListener: DataListener,
    /** Frames from a client are masked, frames from a server are not (RFC 6455 §5.1). */
    private readonly expectMasked: boolean,
  ) {
    this.maxPayload = receiver._maxPayload ?? 0;
  }

  /** Where `ws` removes its own socket listener, this reader goes too; later bytes are dropped, as with `ws`. */
  readonly stop = (): void => {
    this.stopped = true;
    this.pending = [];
    this.socket.removeListener('data', this.onData);
  };

  readonly onData = (chunk: Buffer): void => {
    let buf = chunk;
    if (this.pending.length > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.needed) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
    }
    let at = 0;
    this.needed = 0;
    while (at < buf.length) {
      const available = buf.length - at;
      if (available < 2) {
        this.needed = 2;
        break;
      }
      const b0 = buf[at];
      const b1 = buf[at + 1];
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (available < 4) {
          this.needed = 4;
          break;
        }
        length = (buf[at + 2] << 8) | buf[at + 3];
        header = 4;
      } else if (length === 127) {
        // Large frames are not audio: give the rest of the stream back to `ws` for good.
        return this.handBack(buf.subarray(at));
      }
      const masked = (b1 & 0x80) !== 0;
      const payloadAt = at + header + (masked ? 4 : 0);
      const end = payloadAt + length;
      if (end > buf.length) {
        this.needed = end - at;
        break;
      }
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      const withinLimit = this.maxPayload === 0 || length <= this.maxPayload;
      if (
        fin &&
        opcode === 1 &&
        (b0 & 0x70) === 0 &&
        masked === this.expectMasked &&
        withinLimit &&
        !this.wsOwnsMessage &&
        this.ws.readyState === WebSocket.OPEN
      ) {
        const payload = buf.subarray(payloadAt, end);
        const mask = masked ? buf.subarray(at + header, payloadAt) : null;
        if (mask) bufferUtil.unmask(payload, mask);
        if (isUtf8(payload)) {
          this.ws.emit('message', payload, false);
          at = end;
          continue;
        }
        if (mask) bufferUtil.unmask(payload, mask); // restore the bytes: `ws` refuses the frame (1007)
      } else if (opcode < 8) {
        // A data frame `ws` takes: a fragment opens or closes its message.
        this.wsOwnsMessage = !fin;
      }
      this.wsListener.call(this.socket, buf.subarray(at, end));
      if (this.receiver._errored === true) this.stop(); // ws reads nothing more after a refused frame
      if (this.stopped) return;
      at = end;
    }
    if (at < buf.length) {
      this.pending = [buf.subarray(at)];
      this.pendingBytes = buf.length - at;
    }
  };

  private handBack(rest: Buffer): void {
    this.socket.removeListener('data', this.onData);
    this.socket.on('data', this.wsListener);
    this.wsListener.call(this.socket, rest);
  }
}

/**
 * Lets complete text frames on `ws`'s socket skip `ws`'s Receiver (see above). Call it right after
 * the handshake, before data flows ('connection' on a server, 'open' on a client). Returns false,
 * leaving `ws` alone, when it cannot take over safely: compression negotiated, `ws` holding part
 * of a frame already, or a socket that is not the one `ws` set up.
 */
export function readTextFramesDirectly(ws: WebSocket, side: 'server' | 'client'): boolean {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  const receiver = (ws as unknown as { _receiver?: ReceiverState })._receiver;
  if (!socket || !receiver || ws.readyState !== WebSocket.OPEN || ws.extensions !== '') return false;
  if (receiver._state !== GET_INFO || receiver._bufferedBytes !== 0 || (receiver._fragments?.length ?? 1) !== 0 || receiver._errored !== false) return false;
  const listeners = socket.listeners('data') as DataListener[];
  if (listeners.length !== 1) return false;
  const reader = new FastFrameReader(ws, receiver, socket, listeners[0], side === 'server');
  socket.removeListener('data', listeners[0]);
  socket.on('data', reader.onData);
  receiver.once('conclude', reader.stop);
  receiver.once('error', reader.stop);
  socket.once('close', reader.stop);
  return true;
}
