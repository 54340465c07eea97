import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SCORING_WEIGHTS, scoreLead } from './lead-scoring.js';
import type { LeadScore, LeadSignals, TranscriptFindings, TranscriptTurn } from './lead.types.js';
import { analyseTranscript } from './transcript-analysis.js';

// Neutral findings of a short call in which the caller said a few words and nothing matched.
function findings(overrides: Partial<TranscriptFindings> = {}): TranscriptFindings {
  return {
    keywords: [],
    interests: [],
    sentiment: 'neutral',
    sentimentScore: 0,
    intents: [],
    actionItems: [],
    highIntent: false,
    profanity: false,
    userTurnCount: 2,
    agentTurnCount: 2,
    humanTurnCount: 0,
    userWordCount: 12,
    languageHint: 'en',
    ...overrides,
  };
}

const sumOf = (score: LeadScore) => score.reasons.reduce((total, r) => total + r.points, 0);
const codesOf = (score: LeadScore) => score.reasons.map((r) => r.code);

const PLUMBER_CALL: TranscriptTurn[] = [
  { role: 'agent', text: "Hi, you're through to Dave's Plumbing. How can I help today?" },
  { role: 'user', text: "My boiler's stopped working and there's no hot water. How much do you charge for a call-out?" },
  { role: 'agent', text: 'Our call-out fee is £75. Would you like me to book an engineer?' },
  { role: 'user', text: 'Yes please, as soon as possible. And can you text me the price list?' },
];

const NOT_INTERESTED_CALL: TranscriptTurn[] = [
  { role: 'agent', text: 'Hi, this is Sam from Bright Windows following up on your quote request.' },
  { role: 'user', text: "I'm not interested, please stop calling me. This is ridiculous." },
];

describe(scoreLead.name, () => {
  describe('reasons', () => {
    it.each<{ name: string; signals: LeadSignals }>([
      { name: 'a neutral call', signals: { findings: findings() } },
      { name: 'a silent call', signals: { findings: findings({ userTurnCount: 0, userWordCount: 0 }) } },
      { name: 'the plumber call', signals: { findings: analyseTranscript(PLUMBER_CALL), hasName: true } },
      { name: 'a not-interested call', signals: { findings: analyseTranscript(NOT_INTERESTED_CALL) } },
      {
        name: 'every positive signal (clamped at 100)',
        signals: {
          findings: findings({
            intents: ['book_appointment', 'request_quote', 'request_callback', 'ask_price'],
            interests: ['pricing', 'booking', 'emergency', 'quote'],
            highIntent: true,
            sentiment: 'positive',
            sentimentScore: 0.8,
            userWordCount: 120,
          }),
          elevenLabs: { callSuccessful: 'success', evaluationResults: [{ id: 'booked', result: 'success' }] },
          hasName: true,
          hasEmail: true,
          interactionCount: 5,
          previousScore: 90,
        },
      },
      {
        name: 'every negative signal (clamped at 0)',
        signals: {
          findings: findings({ intents: ['complaint', 'cancel', 'not_interested'], sentiment: 'negative', sentimentScore: -1, profanity: true }),
          elevenLabs: { callSuccessful: 'failure', evaluationResults: [{ id: 'polite', result: 'failure' }] },
          previousScore: 0,
        },
      },
    ])('should add up to the score for $name', ({ signals }) => {
      const result = scoreLead(signals);

      expect(sumOf(result)).toBe(result.score);
      expect(Number.isInteger(result.score)).toBe(true);
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThanOrEqual(100);
      expect(result.reasons[0]).toEqual({ code: 'BASE', points: 20, detail: 'Starting score (+20)' });
    });

    it('should explain each point in plain words', () => {
      const result = scoreLead({ findings: findings({ intents: ['ask_price', 'complaint'] }) });

      expect(result.reasons).toEqual([
        { code: 'BASE', points: 20, detail: 'Starting score (+20)' },
        { code: 'INTENT_ASK_PRICE', points: 10, detail: 'Asked for a price (+10)' },
        { code: 'INTENT_COMPLAINT', points: -15, detail: 'Raised a complaint (-15)' },
      ]);
      expect(result.score).toBe(15);
    });

    it('should score the plumber call from its findings', () => {
      const result = scoreLead({ findings: analyseTranscript(PLUMBER_CALL), hasName: true });

      expect(codesOf(result)).toEqual([
        'BASE',
        'INTENT_ASK_PRICE',
        'INTENT_BOOK_APPOINTMENT',
        'INTENT_SEND_INFORMATION',
        'INTERESTS',
        'HIGH_INTENT',
        'HAS_NAME',
      ]);
      expect(result.score).toBe(20 + 10 + 20 + 5 + 6 + 10 + 5);
      expect(result.suggestedStatus).toBe('qualified');
    });
  });

  describe('clamping', () => {
    it('should cap at 100 with a CLAMPED reason taking off the excess', () => {
      const result = scoreLead({
        findings: findings({ intents: ['book_appointment', 'request_quote', 'request_callback', 'ask_price'], highIntent: true }),
        elevenLabs: { callSuccessful: 'success' },
        hasName: true,
        hasEmail: true,
      });

      expect(result.score).toBe(100);
      expect(result.reasons.at(-1)).toEqual({ code: 'CLAMPED', points: -10, detail: 'Capped at 100 (raw 110) (-10)' });
    });

    it('should floor at 0 with a CLAMPED reason adding back the deficit', () => {
      const result = scoreLead({
        findings: findings({ intents: ['not_interested'], sentiment: 'negative', sentimentScore: -0.5, profanity: true }),
      });

      expect(result.score).toBe(0);
      expect(result.reasons.at(-1)).toEqual({ code: 'CLAMPED', points: 30, detail: 'Raised to 0 (raw -30) (+30)' });
    });

    it('should not add a CLAMPED reason when the raw score is in range', () => {
      expect(codesOf(scoreLead({ findings: findings() }))).not.toContain('CLAMPED');
    });
  });

  describe('ElevenLabs analysis', () => {
    const base = findings({ intents: ['ask_price'] });

    it.each([
      { callSuccessful: 'success' as const, delta: 10, code: 'ELEVENLABS_CALL_SUCCESS' },
      { callSuccessful: 'failure' as const, delta: -10, code: 'ELEVENLABS_CALL_FAILURE' },
      { callSuccessful: 'unknown' as const, delta: 0, code: undefined },
    ])('should shift the score by $delta when call_successful is $callSuccessful', ({ callSuccessful, delta, code }) => {
      const without = scoreLead({ findings: base });
      const withAnalysis = scoreLead({ findings: base, elevenLabs: { callSuccessful } });

      expect(withAnalysis.score - without.score).toBe(delta);
      if (code) expect(codesOf(withAnalysis)).toContain(code);
      else expect(withAnalysis.reasons).toEqual(without.reasons);
    });

    it('should reward passed and penalise failed evaluation criteria, capped', () => {
      const result = scoreLead({
        findings: base,
        elevenLabs: {
          evaluationResults: [
            { id: 'collected_address', result: 'success' },
            { id: 'offered_booking', result: 'success' },
            { id: 'polite', result: 'success' },
            { id: 'confirmed_time', result: 'success' },
            { id: 'resolved_issue', result: 'failure' },
            { id: 'upsell', result: 'unknown' },
            { id: 'polite', result: 'failure' }, // duplicate id: first one wins
          ],
        },
      });

      expect(result.reasons.filter((r) => r.code.startsWith('ELEVENLABS_CRITERIA'))).toEqual([
        {
          code: 'ELEVENLABS_CRITERIA_PASSED',
          points: 9,
          detail: 'ElevenLabs criteria passed: collected_address, offered_booking, polite, confirmed_time (+9)',
        },
        { code: 'ELEVENLABS_CRITERIA_FAILED', points: -3, detail: 'ElevenLabs criteria failed: resolved_issue (-3)' },
      ]);
    });

    it.each([
      { name: 'plain values', data: { postcode: 'SW1A 1AA', issue: 'no hot water', notes: '' }, points: 4 },
      {
        name: 'ElevenLabs result objects',
        data: {
          postcode: { data_collection_id: 'postcode', value: 'SW1A 1AA', rationale: 'stated' },
          budget: { data_collection_id: 'budget', value: null, rationale: 'not mentioned' },
        },
        points: 2,
      },
      { name: 'more than the cap', data: { a: 1, b: true, c: 'x', d: ['y'], e: { f: 1 } }, points: 6 },
      { name: 'nothing filled', data: { a: null, b: undefined, c: '  ', d: [] }, points: 0 },
    ])('should count collected data given $name', ({ data, points }) => {
      const reason = scoreLead({ findings: base, elevenLabs: { dataCollected: data } }).reasons.find((r) => r.code === 'DATA_COLLECTED');

      expect(reason?.points ?? 0).toBe(points);
    });
  });

  describe('relationship', () => {
    it.each([
      { interactionCount: undefined, points: 0 },
      { interactionCount: 1, points: 0 },
      { interactionCount: 2, points: 2 },
      { interactionCount: 3, points: 4 },
      { interactionCount: 20, points: 6 },
      { interactionCount: Number.NaN, points: 0 },
    ])('should add $points for interactionCount $interactionCount', ({ interactionCount, points }) => {
      const reason = scoreLead({ findings: findings(), interactionCount }).reasons.find((r) => r.code === 'RETURNING');

      expect(reason?.points ?? 0).toBe(points);
    });

    it.each([
      { previousScore: 80, points: 10, detail: 'Carried over from previous score 80 (+10)' },
      { previousScore: 40, points: 5, detail: 'Carried over from previous score 40 (+5)' },
      { previousScore: 20, points: 0, detail: undefined },
      { previousScore: 0, points: -5, detail: 'Carried over from previous score 0 (-5)' },
      { previousScore: 250, points: 10, detail: 'Carried over from previous score 100 (+10)' },
    ])('should carry over part of previousScore $previousScore', ({ previousScore, points, detail }) => {
      const reason = scoreLead({ findings: findings(), previousScore }).reasons.find((r) => r.code === 'PREVIOUS_SCORE');

      expect(reason?.points ?? 0).toBe(points);
      expect(reason?.detail).toBe(detail);
    });

    it('should add a little for a known name and email', () => {
      const result = scoreLead({ findings: findings(), hasName: true, hasEmail: true });

      expect(result.reasons.slice(1)).toEqual([
        { code: 'HAS_NAME', points: 5, detail: 'Name known (+5)' },
        { code: 'HAS_EMAIL', points: 5, detail: 'Email known (+5)' },
      ]);
    });
  });

  describe('conversation signals', () => {
    it.each([
      { name: 'negative sentiment', overrides: { sentiment: 'negative' as const, sentimentScore: -0.5 }, code: 'SENTIMENT_NEGATIVE', points: -10 },
      { name: 'positive sentiment', overrides: { sentiment: 'positive' as const, sentimentScore: 0.5 }, code: 'SENTIMENT_POSITIVE', points: 5 },
      { name: 'profanity', overrides: { profanity: true }, code: 'PROFANITY', points: -10 },
      { name: 'urgency', overrides: { highIntent: true }, code: 'HIGH_INTENT', points: 10 },
      { name: 'an engaged caller', overrides: { userWordCount: 40 }, code: 'ENGAGED', points: 5 },
      { name: 'a silent caller', overrides: { userWordCount: 0, userTurnCount: 0 }, code: 'NO_CALLER_SPEECH', points: -10 },
      { name: 'three interests', overrides: { interests: ['pricing', 'opening_hours', 'payment'] }, code: 'INTERESTS', points: 9 },
      { name: 'five interests (capped)', overrides: { interests: ['a', 'b', 'c', 'd', 'e'] }, code: 'INTERESTS', points: 9 },
    ])('should apply $points for $name', ({ overrides, code, points }) => {
      const result = scoreLead({ findings: findings(overrides) });

      expect(result.reasons.find((r) => r.code === code)?.points).toBe(points);
      expect(result.score).toBe(20 + points);
    });

    it('should write interest labels readably', () => {
      const result = scoreLead({ findings: findings({ interests: ['opening_hours', 'pricing'] }) });

      expect(result.reasons[1].detail).toBe('Showed interest in opening hours, pricing (+6)');
    });
  });

  describe('suggestedStatus', () => {
    it.each([
      { name: 'nobody spoke', signals: { findings: findings({ userWordCount: 0, userTurnCount: 0 }), hasName: true }, status: 'new' },
      { name: 'caller not interested', signals: { findings: findings({ intents: ['not_interested'] }), previousScore: 100 }, status: 'unqualified' },
      {
        name: 'score at the qualified threshold',
        signals: { findings: findings({ intents: ['book_appointment', 'request_quote'] }), hasName: true },
        status: 'qualified',
      },
      { name: 'a middling score', signals: { findings: findings({ intents: ['ask_price'] }) }, status: 'contacted' },
      { name: 'a very low score', signals: { findings: findings({ intents: ['complaint'], profanity: true }) }, status: 'unqualified' },
    ])('should suggest $status when $name', ({ signals, status }) => {
      expect(scoreLead(signals).suggestedStatus).toBe(status);
    });
  });

  describe('weights', () => {
    it('should use custom weights and round fractional points so reasons still sum to the score', () => {
      const weights = { ...DEFAULT_SCORING_WEIGHTS, base: 10.4, intents: { ...DEFAULT_SCORING_WEIGHTS.intents, ask_price: 7.6 } };

      const result = scoreLead({ findings: findings({ intents: ['ask_price'] }) }, weights);

      expect(result.reasons.map((r) => r.points)).toEqual([10, 8]);
      expect(result.score).toBe(18);
    });
  });

  describe('determinism', () => {
    it('should give the same score for the same signals and not mutate them', () => {
      const signals: LeadSignals = Object.freeze({
        findings: Object.freeze(analyseTranscript(PLUMBER_CALL)),
        elevenLabs: Object.freeze({ callSuccessful: 'success' as const, dataCollected: { postcode: 'SW1A 1AA' } }),
        interactionCount: 2,
        previousScore: 55,
      });
      const snapshot = JSON.stringify(signals);

      expect(scoreLead(signals)).toEqual(scoreLead(signals));
      expect(JSON.stringify(signals)).toBe(snapshot);
    });
  });
});
