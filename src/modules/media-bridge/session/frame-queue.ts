/**
 * A bounded FIFO of audio payloads (base64 bytes). When full it drops the OLDEST audio: for a live
 * call late audio is worth less than current audio, and memory per call must stay bounded.
 */
export class FrameQueue {
  private readonly items: Array<Buffer | undefined>;
  private head = 0;
  private count = 0;
  private bytes = 0;
  /** Frames thrown away because the queue was full (read by the session's counters). */
  dropped = 0;

  constructor(
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {
    this.items = new Array<Buffer | undefined>(maxFrames);
  }

  get size(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.bytes;
  }

  push(payload: Buffer): void {
    while (this.count > 0 && (this.count >= this.maxFrames || this.bytes + payload.length > this.maxBytes)) {
      this.shift();
      this.dropped++;
    }
    this.items[(this.head + this.count) % this.maxFrames] = payload;
    this.count++;
    this.bytes += payload.length;
  }

  shift(): Buffer | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.maxFrames;
    this.count--;
    this.bytes -= item!.length;
    return item;
  }

  /** Empties the queue; returns how many frames were discarded. */
  clear(): number {
    const n = this.count;
    while (this.count > 0) this.shift();
    return n;
  }
}
