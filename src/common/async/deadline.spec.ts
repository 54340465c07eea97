import { describe, expect, it } from '@jest/globals';
import { DeadlineExceededError, remainingMs, withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it('should settle like the work when it is in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 100)).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('boom')), 100)).rejects.toThrow('boom');
  });

  it('should reject with DeadlineExceededError when the work hangs, and swallow its late failure', async () => {
    let fail!: (err: Error) => void;
    const hung = new Promise<number>((_, reject) => (fail = reject));
    const started = Date.now();
    await expect(withDeadline(hung, 50)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(500);
    fail(new Error('late')); // must not become an unhandled rejection
    await new Promise((r) => setTimeout(r, 10));
  });

  it('should give up at once when nothing of the budget is left', async () => {
    await expect(withDeadline(new Promise(() => undefined), 0)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(remainingMs(2_500, 3_000)).toBe(0);
    expect(remainingMs(2_500, 1_000.4)).toBe(1_499);
    expect(remainingMs(2_500, undefined)).toBe(2_500);
  });
});
