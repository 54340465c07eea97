import { describe, expect, it } from '@jest/globals';
import type { TranscriptTurn } from './lead.types.js';
import { analyseTranscript } from './transcript-analysis.js';
import { summariseTranscript } from './transcript-summary.js';

const user = (text: string): TranscriptTurn => ({ role: 'user', text });
const agent = (text: string): TranscriptTurn => ({ role: 'agent', text });

const PLUMBER_CALL: TranscriptTurn[] = [
  agent("Hi, you're through to Dave's Plumbing. How can I help today?"),
  user('Hi there.'),
  user("My boiler's stopped working and there's no hot water. How much do you charge for a call-out?"),
  agent('Our call-out fee is £75, which includes the first hour.'),
  user("OK. I need to check with my wife first, she's at work until six. Can someone call me back tomorrow morning?"),
  agent('Of course.'),
  user('Thanks, bye.'),
];

const summarise = (turns: TranscriptTurn[], maxChars?: number) => summariseTranscript(turns, analyseTranscript(turns), maxChars);

describe(summariseTranscript.name, () => {
  it('should lead with what the caller wanted, then quote their most informative lines', () => {
    expect(summarise(PLUMBER_CALL)).toBe(
      'Caller asked about pricing and asked for a callback (topics: emergency, pricing). Caller said: ' +
        "\"My boiler's stopped working and there's no hot water. How much do you charge for a call-out? " +
        'Can someone call me back tomorrow morning?"',
    );
  });

  it('should keep the quote in call order even when a later line ranks higher', () => {
    const summary = summarise([user('I was recommended you by a neighbour down the road.'), user('How much is a quote for a new boiler?')], 200);

    expect(summary.indexOf('neighbour')).toBeLessThan(summary.indexOf('How much'));
  });

  it.each([40, 60, 100, 140, 200, 280])('should stay within %i characters and cut on a word boundary', (maxChars) => {
    const full = summarise(PLUMBER_CALL, 10_000);
    const summary = summarise(PLUMBER_CALL, maxChars);

    expect(summary.length).toBeLessThanOrEqual(maxChars);
    if (summary.endsWith('\u2026')) {
      const kept = summary.slice(0, -1);
      expect(full.startsWith(kept)).toBe(true);
      expect(full.charAt(kept.length)).toMatch(/[\s,.;:!?"]/);
    }
  });

  it.each([
    { name: 'an empty transcript', turns: [], summary: 'No conversation was captured.' },
    {
      name: 'agent-only turns',
      turns: [agent('Hello?'), agent('Hello, are you there?')],
      summary: 'The caller did not speak; the agent spoke 2 times.',
    },
    { name: 'a caller who only said hello', turns: [agent('Hi, how can I help?'), user('Hello?')], summary: 'Caller spoke only briefly.' },
    {
      name: 'a Spanish call',
      turns: [user('Hola, buenos días. Quiero una cita para el martes, por favor.')],
      summary: 'Caller made a general inquiry. Caller said: "Hola, buenos días. Quiero una cita para el martes, por favor."',
    },
  ])('should give a sensible summary for $name', ({ turns, summary }) => {
    expect(summarise(turns)).toBe(summary);
  });

  it('should mention a negative tone and mask contact details', () => {
    const summary = summarise([
      user('This is ridiculous, the leak is still not fixed and I want a refund.'),
      user('Ring me on 07700 900123 or email jo@example.com.'),
    ]);

    expect(summary).toContain('raised a complaint');
    expect(summary).toContain('tone was negative');
    expect(summary).toContain('[number]');
    expect(summary).toContain('[email]');
    expect(summary).not.toMatch(/07700|jo@example/);
  });

  it('should be deterministic', () => {
    expect(summarise(PLUMBER_CALL, 120)).toBe(summarise(PLUMBER_CALL, 120));
  });
});
