// The fake ElevenLabs of the benchmark, in its own process so its CPU is not counted against the
// relay under test: echo agents (every user_audio_chunk comes back as an `audio` event), pings on.
import { FakeElevenLabs } from '../../test/simulators/elevenlabs/index.js';
import { serveIpc, usage } from './ipc.js';

async function main(): Promise<void> {
  const fake = await FakeElevenLabs.start({ defaultAgent: { mode: 'echo', pingIntervalMs: 2_000 } });
  serveIpc(async (req) => {
    switch (req.type) {
      case 'info':
        return { baseUrl: fake.baseUrl };
      case 'stats': {
        let received = 0;
        let sent = 0;
        for (const c of fake.conversations) {
          received += c.receivedAudioChunks;
          sent += c.sentAudioChunks;
        }
        return { open: fake.openConversationCount, total: fake.totalConversations, received, sent, ...usage() };
      }
      case 'faults':
        fake.clearFaults();
        fake.setFaults((req.faults as Record<string, unknown>) ?? {});
        return {};
      case 'stop':
        await fake.stop();
        setImmediate(() => process.exit(0));
        return {};
      default:
        throw new Error(`unknown request ${req.type}`);
    }
  });
  process.send?.({ event: 'ready' });
}

void main();
