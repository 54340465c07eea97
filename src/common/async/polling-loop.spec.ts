import { describe, expect, it } from '@jest/globals';
import { errorMessage } from '../errors/error-message.js';
import { PollingLoop } from './polling-loop.js';

/** A round that ends when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('PollingLoop', () => {
  it('should run one round at a time however often it is kicked', async () => {
    const g = gate();
    let rounds = 0;
    const loop = new PollingLoop({ intervalMs: 0, onError: () => undefined, run: async () => (rounds++, await g.opened) });
    loop.kick();
    loop.kick();
    loop.kick();
    expect(loop.running).toBe(true);
    g.open();
    await tick();
    expect(rounds).toBe(1);
    expect(loop.running).toBe(false);
  });

  it('should run once more after a kick during a round when asked to (work that arrived meanwhile)', async () => {
    const gates = [gate(), gate()];
    let rounds = 0;
    const loop = new PollingLoop({ intervalMs: 0, rerunWhenKicked: true, onError: () => undefined, run: () => gates[rounds++].opened });
    loop.kick();
    loop.kick();
    loop.kick();
    gates[0].open();
    await tick();
    expect(rounds).toBe(2);
    gates[1].open();
    await tick();
    expect(rounds).toBe(2);
  });

  it('should hand an unawaited round its error and carry on', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const loop = new PollingLoop({
      intervalMs: 0,
      onError: (err) => errors.push(err),
      run: async () => {
        rounds++;
        await tick();
        throw new Error('database down');
      },
    });
    loop.kick();
    await tick();
    await tick();
    loop.kick();
    await tick();
    await tick();
    expect(rounds).toBe(2);
    expect(errors.map(errorMessage)).toEqual(['database down', 'database down']);
  });

  it('should not start a round mayRun forbids (e.g. while draining)', () => {
    let rounds = 0;
    const loop = new PollingLoop({ intervalMs: 0, mayRun: () => false, onError: () => undefined, run: async () => void rounds++ });
    loop.kick();
    expect(rounds).toBe(0);
  });

  it('should answer tryRun with undefined while a round runs, and runNow after it', async () => {
    const g = gate();
    let rounds = 0;
    const loop = new PollingLoop({ intervalMs: 0, onError: () => undefined, run: async () => (await (rounds === 0 ? g.opened : undefined), ++rounds) });
    loop.kick();
    await expect(loop.tryRun()).resolves.toBeUndefined();
    const next = loop.runNow();
    g.open();
    await expect(next).resolves.toBe(2);
    await expect(loop.tryRun()).resolves.toBe(3);
  });

  it('should run on its timer, and stop waits for the round in flight and starts no more', async () => {
    let rounds = 0;
    let finished = 0;
    const loop = new PollingLoop({
      intervalMs: 5,
      onError: () => undefined,
      run: async () => {
        rounds++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished++;
      },
    });
    loop.start();
    while (rounds === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await loop.stop();
    expect(finished).toBe(rounds);
    const after = rounds;
    await new Promise((resolve) => setTimeout(resolve, 30));
    loop.kick();
    await expect(loop.tryRun()).resolves.toBeUndefined();
    expect(rounds).toBe(after);
  });
});
