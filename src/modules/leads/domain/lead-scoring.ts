import type {
  ElevenLabsAnalysisSignals,
  LeadIntent,
  LeadScore,
  LeadScoreReason,
  LeadSignals,
  LeadStatus,
  ScoringWeights,
  TranscriptFindings,
} from './lead.types.js';

// Additive, explainable scoring: every point comes with a reason, and the reasons (BASE first,
// a CLAMPED entry last when the 0..100 bounds bite) always add up to the score. Weights are data
// so a tenant can tune them without touching the logic.
export const DEFAULT_SCORING_WEIGHTS: ScoringWeights = {
  base: 20,
  intents: {
    book_appointment: 20,
    request_quote: 15,
    request_callback: 15,
    ask_price: 10,
    send_information: 5,
    reschedule: 5,
    general_inquiry: 2,
    complaint: -15,
    cancel: -20,
    not_interested: -30,
  },
  interestEach: 3,
  interestMax: 9,
  highIntent: 10,
  positiveSentiment: 5,
  negativeSentiment: -10,
  profanity: -10,
  engagedWordCount: 40,
  engaged: 5,
  noCallerSpeech: -10,
  callSuccessful: { success: 10, failure: -10, unknown: 0 },
  evaluationPassedEach: 3,
  evaluationFailedEach: -3,
  evaluationMax: 9,
  dataCollectedEach: 2,
  dataCollectedMax: 6,
  hasName: 5,
  hasEmail: 5,
  returningEach: 2,
  returningMax: 6,
  previousScoreCarry: 0.25,
  previousScoreCarryMax: 10,
  qualifiedAt: 60,
  unqualifiedBelow: 15,
};

const MIN_SCORE = 0;
const MAX_SCORE = 100;

const INTENT_LABELS: Readonly<Record<LeadIntent, string>> = {
  book_appointment: 'Wants to book an appointment',
  request_quote: 'Asked for a quote',
  request_callback: 'Asked for a callback',
  ask_price: 'Asked for a price',
  send_information: 'Asked for information to be sent',
  reschedule: 'Wants to reschedule',
  general_inquiry: 'Made a general inquiry',
  complaint: 'Raised a complaint',
  cancel: 'Wants to cancel',
  not_interested: 'Said they are not interested',
};

export function scoreLead(signals: LeadSignals, weights: ScoringWeights = DEFAULT_SCORING_WEIGHTS): LeadScore {
  const { findings } = signals;
  const reasons = [
    reason('BASE', weights.base, 'Starting score'),
    ...intentReasons(findings, weights),
    ...conversationReasons(findings, weights),
    ...elevenLabsReasons(signals.elevenLabs, weights),
    ...relationshipReasons(signals, weights),
  ].filter((r) => r.code === 'BASE' || r.points !== 0);

  const raw = reasons.reduce((total, r) => total + r.points, 0);
  const score = Math.min(MAX_SCORE, Math.max(MIN_SCORE, raw));
  if (raw > MAX_SCORE) reasons.push(reason('CLAMPED', score - raw, `Capped at ${MAX_SCORE} (raw ${raw})`));
  if (raw < MIN_SCORE) reasons.push(reason('CLAMPED', score - raw, `Raised to ${MIN_SCORE} (raw ${raw})`));
  return { score, reasons, suggestedStatus: suggestStatus(score, findings, weights) };
}

// Points are rounded here, once, so the sum of reasons is an integer and equals the score.
function reason(code: string, points: number, label: string): LeadScoreReason {
  const rounded = Math.round(points) || 0;
  return { code, points: rounded, detail: `${label} (${rounded >= 0 ? '+' : ''}${rounded})` };
}

function intentReasons(findings: TranscriptFindings, weights: ScoringWeights): LeadScoreReason[] {
  return findings.intents.map((intent) => reason(`INTENT_${intent.toUpperCase()}`, weights.intents[intent] ?? 0, INTENT_LABELS[intent] ?? intent));
}

function conversationReasons(findings: TranscriptFindings, weights: ScoringWeights): LeadScoreReason[] {
  const reasons: LeadScoreReason[] = [];
  if (findings.interests.length > 0) {
    const points = capMagnitude(findings.interests.length * weights.interestEach, weights.interestMax);
    reasons.push(reason('INTERESTS', points, `Showed interest in ${findings.interests.join(', ').replace(/_/g, ' ')}`));
  }
  if (findings.highIntent) reasons.push(reason('HIGH_INTENT', weights.highIntent, 'Used urgent or ready-to-buy language'));
  if (findings.sentiment === 'positive') {
    reasons.push(reason('SENTIMENT_POSITIVE', weights.positiveSentiment, `Positive tone (${findings.sentimentScore})`));
  }
  if (findings.sentiment === 'negative') {
    reasons.push(reason('SENTIMENT_NEGATIVE', weights.negativeSentiment, `Negative tone (${findings.sentimentScore})`));
  }
  if (findings.profanity) reasons.push(reason('PROFANITY', weights.profanity, 'Used profanity'));
  if (findings.userWordCount === 0) {
    reasons.push(reason('NO_CALLER_SPEECH', weights.noCallerSpeech, 'Caller did not speak'));
  } else if (findings.userWordCount >= weights.engagedWordCount) {
    reasons.push(reason('ENGAGED', weights.engaged, `Engaged conversation, ${findings.userWordCount} words from the caller`));
  }
  return reasons;
}

function elevenLabsReasons(analysis: ElevenLabsAnalysisSignals | undefined, weights: ScoringWeights): LeadScoreReason[] {
  if (!analysis) return [];
  const reasons: LeadScoreReason[] = [];
  const outcome = analysis.callSuccessful;
  if (outcome === 'success') reasons.push(reason('ELEVENLABS_CALL_SUCCESS', weights.callSuccessful.success, 'ElevenLabs rated the call successful'));
  if (outcome === 'failure') reasons.push(reason('ELEVENLABS_CALL_FAILURE', weights.callSuccessful.failure, 'ElevenLabs rated the call unsuccessful'));
  if (outcome === 'unknown') reasons.push(reason('ELEVENLABS_CALL_UNKNOWN', weights.callSuccessful.unknown, 'ElevenLabs could not rate the call'));

  const results = uniqueById(analysis.evaluationResults ?? []);
  const passed = results.filter((r) => r.result === 'success').map((r) => r.id);
  const failed = results.filter((r) => r.result === 'failure').map((r) => r.id);
  if (passed.length > 0) {
    const points = capMagnitude(passed.length * weights.evaluationPassedEach, weights.evaluationMax);
    reasons.push(reason('ELEVENLABS_CRITERIA_PASSED', points, `ElevenLabs criteria passed: ${passed.join(', ')}`));
  }
  if (failed.length > 0) {
    const points = capMagnitude(failed.length * weights.evaluationFailedEach, weights.evaluationMax);
    reasons.push(reason('ELEVENLABS_CRITERIA_FAILED', points, `ElevenLabs criteria failed: ${failed.join(', ')}`));
  }

  // Sorted so the detail text does not depend on the JSON key order of the webhook.
  const collected = Object.keys(analysis.dataCollected ?? {})
    .filter((key) => isFilled(analysis.dataCollected?.[key]))
    .sort();
  if (collected.length > 0) {
    const points = capMagnitude(collected.length * weights.dataCollectedEach, weights.dataCollectedMax);
    reasons.push(reason('DATA_COLLECTED', points, `Agent collected ${plural(collected.length, 'detail')}: ${collected.join(', ')}`));
  }
  return reasons;
}

function relationshipReasons(signals: LeadSignals, weights: ScoringWeights): LeadScoreReason[] {
  const reasons: LeadScoreReason[] = [];
  if (signals.hasName) reasons.push(reason('HAS_NAME', weights.hasName, 'Name known'));
  if (signals.hasEmail) reasons.push(reason('HAS_EMAIL', weights.hasEmail, 'Email known'));

  const earlier = Math.max(0, Math.floor(finiteOr(signals.interactionCount, 1)) - 1);
  if (earlier > 0) {
    const points = capMagnitude(earlier * weights.returningEach, weights.returningMax);
    reasons.push(reason('RETURNING', points, `Returning lead, ${plural(earlier, 'earlier interaction')}`));
  }

  // Part of the previous score carries over so one quiet follow-up call does not erase a good lead.
  if (signals.previousScore !== undefined && Number.isFinite(signals.previousScore)) {
    const previous = Math.min(MAX_SCORE, Math.max(MIN_SCORE, signals.previousScore));
    const points = capMagnitude((previous - weights.base) * weights.previousScoreCarry, weights.previousScoreCarryMax);
    reasons.push(reason('PREVIOUS_SCORE', points, `Carried over from previous score ${previous}`));
  }
  return reasons;
}

function suggestStatus(score: number, findings: TranscriptFindings, weights: ScoringWeights): LeadStatus {
  // Nobody talked to a person yet, so the lead is still new whatever the score says.
  if (findings.userWordCount === 0) return 'new';
  if (findings.intents.includes('not_interested')) return 'unqualified';
  if (score >= weights.qualifiedAt) return 'qualified';
  if (score < weights.unqualifiedBelow) return 'unqualified';
  return 'contacted';
}

// ElevenLabs data_collection_results entries look like { value, rationale }; value null = not collected.
function isFilled(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') {
    return 'value' in value ? isFilled(value.value) : Object.keys(value).length > 0;
  }
  return true;
}

function uniqueById<T extends { readonly id: string }>(items: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) if (!byId.has(item.id)) byId.set(item.id, item);
  return [...byId.values()];
}

function capMagnitude(points: number, max: number): number {
  const limit = Math.abs(max);
  return Math.max(-limit, Math.min(limit, points));
}

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
