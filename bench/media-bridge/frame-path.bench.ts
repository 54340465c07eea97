// Micro-benchmark of the per-frame choices of the media bridge hot path (STYLE §7.14), run with
// `npm run bench:media -- --micro` or `node dist/bench/media-bridge/frame-path.bench.js`.
// Each case does what the bridge does with one Twilio media frame or one ElevenLabs audio event.
import { EventEmitter } from 'node:events';
import { fromEvent, EMPTY, of } from 'rxjs';
import { filter, mergeMap } from 'rxjs/operators';
import { buildUserAudioFrame, TwilioFrameBuilder, userAudioWsFrame } from '../../src/modules/media-bridge/protocol/frame-build.js';
import { FrameSpan, scanAgentAudio, scanTwilioMedia } from '../../src/modules/media-bridge/protocol/frame-scan.js';

const payload = Buffer.alloc(160, 0x7f).toString('base64');
const streamSid = 'MZ' + 'a'.repeat(32);
const twilioFrame = Buffer.from(
  JSON.stringify({ event: 'media', sequenceNumber: '42', streamSid, media: { track: 'inbound', chunk: '41', timestamp: '820', payload } }),
);
const agentFrame = Buffer.from(`{"type":"audio","audio_event":{"audio_base_64":"${payload}","event_id":1234}}`);

function time(name: string, iterations: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn(); // warm-up
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < iterations; i++) sink += fn() ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - t0) / iterations;
  console.log(`${name.padEnd(58)} ${ns.toFixed(0).padStart(6)} ns/frame${sink < 0 ? '' : ''}`);
  return ns;
}

export function runFramePathBench(iterations = 300_000): void {
  const span = new FrameSpan();
  const builder = new TwilioFrameBuilder(streamSid);
  console.log(`Twilio media frame ${twilioFrame.length} B, ElevenLabs audio event ${agentFrame.length} B\n`);

  console.log('Caller -> agent (Twilio media -> user_audio_chunk):');
  time('JSON.parse(toString) + JSON.stringify', iterations, () => {
    const m = JSON.parse(twilioFrame.toString()) as { media: { payload: string } };
    return JSON.stringify({ user_audio_chunk: m.media.payload });
  });
  time('JSON.parse + decode/re-encode base64 (official example)', iterations, () => {
    const m = JSON.parse(twilioFrame.toString()) as { media: { payload: string } };
    return JSON.stringify({ user_audio_chunk: Buffer.from(m.media.payload, 'base64').toString('base64') });
  });
  time('scan + string concat', iterations, () => {
    scanTwilioMedia(twilioFrame, span);
    return '{"user_audio_chunk":"' + twilioFrame.toString('latin1', span.start, span.end) + '"}';
  });
  time('scan + buffer template', iterations, () => {
    scanTwilioMedia(twilioFrame, span);
    return buildUserAudioFrame(twilioFrame, span.start, span.end);
  });
  time('scan + complete masked WebSocket frame (bridge)', iterations, () => {
    scanTwilioMedia(twilioFrame, span);
    return userAudioWsFrame(twilioFrame, span.start, span.end);
  });

  console.log('\nAgent -> caller (audio event -> Twilio media):');
  time('JSON.parse(toString) + JSON.stringify', iterations, () => {
    const m = JSON.parse(agentFrame.toString()) as { audio_event: { audio_base_64: string; event_id: number } };
    return JSON.stringify({ event: 'media', streamSid, media: { payload: m.audio_event.audio_base_64 } }) + m.audio_event.event_id;
  });
  time('scan + string concat', iterations, () => {
    scanAgentAudio(agentFrame, span);
    return `{"event":"media","streamSid":"${streamSid}","media":{"payload":"` + agentFrame.toString('latin1', span.start, span.end) + '"}}';
  });
  time('scan + buffer template', iterations, () => {
    scanAgentAudio(agentFrame, span);
    return builder.media(agentFrame, span.start, span.end);
  });
  time('scan + complete WebSocket frame (bridge)', iterations, () => {
    scanAgentAudio(agentFrame, span);
    return builder.mediaWsFrame(agentFrame, span.start, span.end);
  });

  console.log("\nDispatch of a frame through Nest's WsAdapter pipeline (rxjs) vs a direct listener:");
  const emitter = new EventEmitter();
  let direct = 0;
  emitter.on('direct', () => direct++);
  time('EventEmitter listener', iterations, () => emitter.emit('direct', twilioFrame));
  const piped = new EventEmitter();
  let viaNest = 0;
  fromEvent(piped, 'message')
    .pipe(
      mergeMap((data) => {
        const parsed = JSON.parse((data as Buffer).toString()) as { event: string };
        return parsed.event === 'media' ? of(parsed).pipe(filter(() => ++viaNest < 0)) : EMPTY;
      }),
    )
    .subscribe();
  time('rxjs fromEvent + mergeMap + messageParser (JSON.parse)', iterations, () => piped.emit('message', twilioFrame));
}

if (require.main === module) runFramePathBench(Number(process.argv[2] ?? 300_000));
