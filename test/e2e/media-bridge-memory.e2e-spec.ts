import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHook } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MediaBridgeService } from '../../src/modules/media-bridge/media-bridge.service.js';
import { MediaSessionFactory } from '../../src/modules/media-bridge/media-session.factory.js';
import type { MediaSession } from '../../src/modules/media-bridge/session/media-session.js';
import { createTenant, uniquePhoneNumber } from '../factories/tenant.factory.js';
import { TEST_ENV } from '../setup/test-env.js';
import { generateMulawTone, TwilioCallSimulator, type MediaStreamSession } from '../simulators/twilio/index.js';
import { sleep, startBridgeHarness, waitUntil, type BridgeHarness } from './media-bridge.support.js';

// Issue 13: nothing a call creates may outlive it. Calls go through the real voice webhook (the
// conversation is pre-opened), the media stream and the bridge, and end in each of the usual ways;
// once they are over, the bridge's registries are empty, no timer is left, and every session the
// bridge made can be garbage-collected at once (a timer or a listener still holding one fails it).

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The bridge's per-call registries (private: read here only to prove they are emptied). */
function registries(service: MediaBridgeService): { sessions: number; preOpened: number; pending: number; live: number } {
  const s = service as unknown as { sessions: Map<string, unknown>; preOpened: Map<string, unknown>; pending: Set<unknown> };
  return { sessions: s.sessions.size, preOpened: s.preOpened.size, pending: s.pending.size, live: service.liveCount };
}

/**
 * Timers created by application code (a frame under src/) while `track` runs and not yet fired or
 * cleared, with where they were made. The connection pool's idle timers and the driver's per-query
 * timeout (pending only while a query is in flight, e.g. the live-event writer's periodic flush) are
 * the database's, not a call's.
 */
function timerTracker() {
  const live = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      if (/[\\/]src[\\/]/.test(stack) && !/node_modules[\\/]pg(-pool)?[\\/]/.test(stack)) live.set(id, stack);
    },
    destroy(id) {
      live.delete(id);
    },
  });
  return { start: () => hook.enable(), stop: () => hook.disable(), left: () => [...live.values()] };
}

describe('MediaBridge: per-call state is released when calls end (e2e)', () => {
  let h: BridgeHarness;
  const created: Array<WeakRef<MediaSession>> = [];

  beforeAll(async () => {
    h = await startBridgeHarness();
    // Observes (does not replace) session creation: the test keeps only weak references.
    const factory = h.t.app.get(MediaSessionFactory);
    const create = factory.create.bind(factory);
    factory.create = (...args: Parameters<MediaSessionFactory['create']>) => {
      const session = create(...args);
      created.push(new WeakRef(session));
      return session;
    };
  });

  afterAll(async () => {
    await h?.close();
  });

  it('should leave no session, registry entry, timer or upstream socket behind after calls end in every usual way', async () => {
    const agentId = 'agent_memory';
    const endingAgentId = 'agent_memory_ends';
    h.fake.setAgent(agentId, { mode: 'echo', pingIntervalMs: 0 });
    h.fake.setAgent(endingAgentId, {
      pingIntervalMs: 0,
      script: [
        { waitForUserAudioMs: 200, agentResponse: 'Bye.', agentAudioMs: 100 },
        { waitMs: 20, endConversation: true },
      ],
    });
    const service = h.t.app.get(MediaBridgeService);
    const timers = timerTracker();
    timers.start();

    const tenantWithNumber = async (id: string) => {
      const tenant = await createTenant(h.t, { settings: { agent: { agentId: id } } });
      const number = uniquePhoneNumber();
      expect((await h.t.api('POST', `/api/tenants/${tenant.id}/phone-numbers`, { phoneNumber: number })).statusCode).toBe(201);
      return number;
    };
    const echoNumber = await tenantWithNumber(agentId);
    const endingNumber = await tenantWithNumber(endingAgentId);
    const sim = (to: string) =>
      new TwilioCallSimulator({
        appBaseUrl: h.baseUrl,
        publicBaseUrl: TEST_ENV.PUBLIC_BASE_URL,
        accountSid: TEST_ENV.TWILIO_ACCOUNT_SID,
        authToken: TEST_ENV.TWILIO_AUTH_TOKEN,
        from: uniquePhoneNumber(),
        to,
      });
    const place = async (to: string): Promise<{ call: TwilioCallSimulator; stream: MediaStreamSession }> => {
      const call = sim(to);
      const stream = await call.placeCall({ stream: { session: { playbackSpeed: 20, recordMedia: false } } });
      return { call, stream };
    };

    const calls = await Promise.all([
      // The caller hangs up after talking (Twilio `stop`): the bridge closes the agent's socket.
      ...Array.from({ length: 4 }, async () => {
        const c = await place(echoNumber);
        await c.stream.streamAudio(generateMulawTone(300, 300));
        await waitUntil('echoed audio', () => c.stream.received.media > 0);
        await c.stream.stop();
        return c;
      }),
      // The network drops (no close frame).
      ...Array.from({ length: 2 }, async () => {
        const c = await place(echoNumber);
        await c.stream.streamAudio(generateMulawTone(200, 300));
        await c.stream.hangUp();
        return c;
      }),
      // The caller hangs up while the conversation is still being set up.
      ...Array.from({ length: 2 }, async () => {
        const c = await place(echoNumber);
        await c.stream.hangUp();
        return c;
      }),
      // The agent ends the conversation: the bridge closes the stream.
      ...Array.from({ length: 2 }, async () => {
        const c = await place(endingNumber);
        await c.stream.streamAudio(generateMulawTone(400, 300));
        await c.stream.closed;
        return c;
      }),
    ]);
    for (const { call } of calls) expect((await call.sendStatusCallback('completed')).status).toBeLessThan(300);

    await waitUntil('every call to leave the bridge', () => {
      const r = registries(service);
      return r.sessions === 0 && r.preOpened === 0 && r.pending === 0 && r.live === 0 && h.fake.openConversationCount === 0;
    });
    expect(created.length).toBe(calls.length); // one session per call, all pre-opened by the voice webhook

    // Nothing may keep a session reachable once its call is over (no timer, listener or map), and
    // no timer the calls started may still be pending, within a few seconds (the transcript
    // writer's 250 ms flush may still be due; on a busy machine each forced GC of the test's heap
    // takes a good part of a second, so the window is generous: a leaked timer stays for good).
    const deadline = Date.now() + 5_000;
    let alive = created.length;
    let timersLeft: string[] = [];
    while (Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      alive = created.filter((ref) => ref.deref() !== undefined).length;
      timersLeft = timers.left();
      if (alive === 0 && timersLeft.length === 0) break;
      await sleep(50);
    }
    timers.stop();
    expect(alive).toBe(0);
    expect(timersLeft).toEqual([]);
  });
});
