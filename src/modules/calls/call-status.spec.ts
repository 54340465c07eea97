import { describe, expect, it } from '@jest/globals';
import type { CallStatus } from './call.entity.js';
import { CALL_STATUS_RANK, callStatusRankSql, isTerminalStatus, nextCallStatus } from './call-status.js';

describe('nextCallStatus', () => {
  it.each<[CallStatus, CallStatus, CallStatus]>([
    ['queued', 'initiated', 'initiated'],
    ['initiated', 'ringing', 'ringing'],
    ['ringing', 'in-progress', 'in-progress'],
    ['in-progress', 'completed', 'completed'],
    ['ringing', 'completed', 'completed'], // answered event lost: still ends
    ['ringing', 'no-answer', 'no-answer'],
    ['ringing', 'ringing', 'ringing'], // duplicate
    ['completed', 'ringing', 'completed'], // late ringing after completed
    ['completed', 'in-progress', 'completed'],
    ['in-progress', 'initiated', 'in-progress'],
    ['completed', 'canceled', 'completed'], // a terminal status never changes
    ['busy', 'completed', 'busy'],
    ['rejected', 'completed', 'rejected'], // our refusal stays the status; the times are still stored
    ['rejected', 'in-progress', 'rejected'],
  ])('should go from %s with %s to %s', (current, incoming, expected) => {
    expect(nextCallStatus(current, incoming)).toBe(expected);
  });

  it('should treat every terminal status as terminal', () => {
    expect((['completed', 'busy', 'failed', 'no-answer', 'canceled', 'rejected'] as CallStatus[]).every(isTerminalStatus)).toBe(true);
    expect((['queued', 'initiated', 'ringing', 'in-progress'] as CallStatus[]).some(isTerminalStatus)).toBe(false);
  });
});

describe('callStatusRankSql', () => {
  it('should encode every non-terminal rank and default to terminal', () => {
    const sql = callStatusRankSql('c.status');
    for (const [status, rank] of Object.entries(CALL_STATUS_RANK)) {
      if (rank < 4) expect(sql).toContain(`WHEN '${status}' THEN ${rank}`);
    }
    expect(sql).toMatch(/ELSE 4 END\)$/);
  });
});
