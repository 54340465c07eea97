import type { CallStatus } from './call.entity.js';

// Twilio reorders and repeats status callbacks (docs/protocols.md §3.2), so a call only ever moves
// forward along this rank; every terminal status (ours included: `rejected`) shares the top rank,
// so a terminal call never changes status again. The SQL in CallsRepository is generated from
// this same table, so the database and the code agree on the order.

export const TWILIO_CALL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
export type TwilioCallStatus = (typeof TWILIO_CALL_STATUSES)[number];

export const CALL_STATUS_RANK: Readonly<Record<CallStatus, number>> = {
  queued: 0,
  initiated: 1,
  ringing: 2,
  'in-progress': 3,
  completed: 4,
  busy: 4,
  failed: 4,
  'no-answer': 4,
  canceled: 4,
  rejected: 4,
};

const TERMINAL_RANK = 4;

/** Statuses of a call that may still be using a line (the concurrent-call quota counts these). */
export const ACTIVE_CALL_STATUSES: readonly CallStatus[] = ['queued', 'initiated', 'ringing', 'in-progress'];

// A call whose final status callback was lost would otherwise hold a concurrent-call slot forever;
// Twilio ends every call after at most 4 hours (the default and maximum TimeLimit), so older
// "active" rows are ignored.
export const ACTIVE_CALL_MAX_AGE_SQL = `interval '4 hours'`;

export function isTerminalStatus(status: CallStatus): boolean {
  return CALL_STATUS_RANK[status] === TERMINAL_RANK;
}

/** The status a call has after a callback reporting `incoming`: never backwards, terminal is final. */
export function nextCallStatus(current: CallStatus, incoming: CallStatus): CallStatus {
  return CALL_STATUS_RANK[incoming] > CALL_STATUS_RANK[current] ? incoming : current;
}

/** `CASE <expr> WHEN 'queued' THEN 0 ... END`, the same rank in SQL (unknown values rank terminal). */
export function callStatusRankSql(expression: string): string {
  const whens = Object.entries(CALL_STATUS_RANK)
    .filter(([, rank]) => rank < TERMINAL_RANK)
    .map(([status, rank]) => `WHEN '${status}' THEN ${rank}`)
    .join(' ');
  return `(CASE ${expression} ${whens} ELSE ${TERMINAL_RANK} END)`;
}

// Media stream states from `<Stream statusCallback>`: started, then stopped or error.
export type StreamState = 'started' | 'stopped' | 'error';
export const STREAM_STATE_RANK: Readonly<Record<StreamState, number>> = { started: 1, stopped: 2, error: 2 };

export function streamStateRankSql(expression: string): string {
  return `(CASE ${expression} WHEN 'started' THEN 1 WHEN 'stopped' THEN 2 WHEN 'error' THEN 2 ELSE 0 END)`;
}

// Recording status callbacks: in-progress, then completed / absent / failed.
export const RECORDING_STATUS_RANK: Readonly<Record<string, number>> = { 'in-progress': 1, completed: 2, absent: 2, failed: 2 };

export function recordingStatusRankSql(expression: string): string {
  return `(CASE ${expression} WHEN 'in-progress' THEN 1 WHEN 'completed' THEN 2 WHEN 'absent' THEN 2 WHEN 'failed' THEN 2 ELSE 0 END)`;
}
