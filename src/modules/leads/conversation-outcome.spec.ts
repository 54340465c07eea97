import { describe, expect, it } from '@jest/globals';
import { collectedContact, conversationOutcome, type LeadSnapshot, nextStatus } from './conversation-outcome.js';
import type { TranscriptTurn } from './domain/index.js';
import type { LeadStatus } from './lead.entity.js';

const NEW_LEAD: LeadSnapshot = { name: null, email: null, status: 'new', score: 0, interactionCount: 0, interests: [], keywords: [], lastContactAt: null };
const ENDED = new Date('2026-03-03T10:05:00Z');

const BOOKING_CALL: TranscriptTurn[] = [
  { role: 'agent', text: "Hi, you're through to Dave's Plumbing. How can I help today?", offsetSecs: 0 },
  { role: 'user', text: "My boiler's stopped working and there's no hot water. How much do you charge for a call-out?", offsetSecs: 3 },
  { role: 'agent', text: 'Our call-out fee is £75. Would you like me to book an engineer?', offsetSecs: 9 },
  { role: 'user', text: 'Yes please, as soon as possible.', offsetSecs: 14 },
];

describe('conversationOutcome', () => {
  it('should score, summarise and count a first call, taking name and e-mail from data collection', () => {
    const outcome = conversationOutcome({
      lead: NEW_LEAD,
      turns: BOOKING_CALL,
      endedAt: ENDED,
      analysis: {
        callSuccessful: 'success',
        summary: 'Caller needs a boiler repair and wants an engineer booked.',
        dataCollected: { customer_name: { value: 'Jane Doe', rationale: 'said so' }, email: { value: 'Jane@Example.com' } },
      },
    });
    expect(outcome.changes).toMatchObject({
      interactionCount: 1,
      lastContactAt: ENDED,
      summary: 'Caller needs a boiler repair and wants an engineer booked.',
      name: 'Jane Doe',
      email: 'jane@example.com',
    });
    expect(outcome.summarySource).toBe('elevenlabs');
    expect(outcome.changes.score).toBe(outcome.changes.scoreReasons.reduce((t, r) => t + r.points, 0));
    expect(outcome.changes.scoreReasons.map((r) => r.code)).toEqual(expect.arrayContaining(['ELEVENLABS_CALL_SUCCESS', 'HAS_NAME', 'HAS_EMAIL']));
    expect(outcome.changes.actionItems.map((a) => a.type)).toEqual(expect.arrayContaining(['price_asked']));
    expect(['contacted', 'qualified']).toContain(outcome.changes.status);
  });

  it('should fall back to our own summary when ElevenLabs gave none', () => {
    const outcome = conversationOutcome({ lead: NEW_LEAD, turns: BOOKING_CALL, endedAt: ENDED, analysis: { summary: '  ' } });
    expect(outcome.summarySource).toBe('switchboard');
    expect(outcome.changes.summary.length).toBeGreaterThan(10);
  });

  it('should keep what a person entered, carry the previous score and keep the latest contact time', () => {
    const later = new Date('2026-04-01T00:00:00Z');
    const lead: LeadSnapshot = {
      ...NEW_LEAD,
      name: 'J. Doe',
      email: 'j@doe.test',
      status: 'qualified',
      score: 80,
      interactionCount: 3,
      interests: ['old_interest'],
      lastContactAt: later,
    };
    const outcome = conversationOutcome({
      lead,
      turns: BOOKING_CALL,
      endedAt: ENDED,
      analysis: { dataCollected: { name: 'Jane', email: 'jane@example.com' } },
    });
    expect(outcome.changes.name).toBeUndefined();
    expect(outcome.changes.email).toBeUndefined();
    expect(outcome.changes.interactionCount).toBe(4);
    expect(outcome.changes.lastContactAt).toBe(later);
    expect(outcome.changes.status).toBe('qualified');
    expect(outcome.changes.interests.at(-1)).toBe('old_interest');
    expect(outcome.changes.scoreReasons.map((r) => r.code)).toEqual(expect.arrayContaining(['PREVIOUS_SCORE', 'RETURNING']));
  });

  it('should handle an empty transcript without inventing anything', () => {
    const outcome = conversationOutcome({ lead: NEW_LEAD, turns: [], endedAt: ENDED });
    expect(outcome.changes.status).toBe('new');
    expect(outcome.changes.actionItems).toEqual([]);
    expect(outcome.changes.sentiment).toBe('neutral');
  });
});

describe('nextStatus', () => {
  it.each<[LeadStatus, LeadStatus, LeadStatus]>([
    ['new', 'qualified', 'qualified'],
    ['new', 'new', 'new'],
    ['new', 'contacted', 'contacted'],
    ['contacted', 'unqualified', 'unqualified'],
    ['unqualified', 'contacted', 'unqualified'],
    ['unqualified', 'qualified', 'qualified'],
    ['qualified', 'unqualified', 'qualified'],
    ['customer', 'unqualified', 'customer'],
  ])('should move %s, when %s is suggested, to %s', (current, suggested, expected) => {
    expect(nextStatus(current, suggested)).toBe(expected);
  });
});

describe('collectedContact', () => {
  it.each([
    [{ name: 'Ana García' }, { name: 'Ana García' }],
    [{ caller_name: { value: 'unknown' } }, {}],
    [{ full_name: { value: null } }, {}],
    [{ email_address: 'not-an-email' }, {}],
    [{ customer_email: { value: ' Bob@Example.org ' } }, { email: 'bob@example.org' }],
    [{ name: 'bob@example.org' }, {}],
    [{ budget: '5000' }, {}],
  ])('should read %j as %j', (data, expected) => {
    expect(collectedContact(data)).toEqual(expected);
  });
});
