import { describe, expect, it } from '@jest/globals';
import { FrameQueue } from './frame-queue.js';

const frame = (n: number, size = 4) => Buffer.alloc(size, n);

describe('FrameQueue', () => {
  it('should keep order and drop the oldest when the frame bound is hit', () => {
    const q = new FrameQueue(3, 1_000);
    for (let i = 1; i <= 5; i++) q.push(frame(i));
    expect(q.dropped).toBe(2);
    expect([q.shift()![0], q.shift()![0], q.shift()![0], q.shift()]).toEqual([3, 4, 5, undefined]);
  });

  it('should drop the oldest when the byte bound is hit, and clear', () => {
    const q = new FrameQueue(100, 10);
    q.push(frame(1, 4));
    q.push(frame(2, 4));
    q.push(frame(3, 4));
    expect(q.size).toBe(2);
    expect(q.byteLength).toBe(8);
    expect(q.clear()).toBe(2);
    expect(q.size).toBe(0);
    expect(q.byteLength).toBe(0);
  });
});
