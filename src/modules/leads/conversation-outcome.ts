import { analyseTranscript, DEFAULT_KEYWORD_SETS, mergeKeywordSets, scoreLead, summariseTranscript } from './domain/index.js';
import type { EvaluationResult, KeywordSetOverrides, LeadScore, TranscriptFindings, TranscriptTurn } from './domain/index.js';
import type { LeadStatus } from './lead.entity.js';

// What one finished conversation changes on its lead: the pure half of LeadsService.applyConversation
// (no I/O, no clock: `endedAt` is given), so it is table-tested like the domain it calls.

const MAX_INTERESTS = 20;
const MAX_KEYWORDS = 40;
const NAME_KEYS = /^(customer_|caller_|contact_|full_|first_)?name$/i;
const EMAIL_KEYS = /^(customer_|caller_|contact_)?e?-?mail(_address)?$/i;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const PLACEHOLDERS = new Set(['', 'unknown', 'none', 'null', 'n/a', 'na', 'not provided', 'customer', 'caller']);

export interface LeadSnapshot {
  readonly name: string | null;
  readonly email: string | null;
  readonly status: LeadStatus;
  readonly score: number;
  readonly interactionCount: number;
  readonly interests: readonly string[];
  readonly keywords: readonly string[];
  readonly lastContactAt: Date | null;
}

/** ElevenLabs' own analysis of the conversation (post-call `analysis`), already mapped. */
export interface ProviderAnalysis {
  readonly callSuccessful?: EvaluationResult;
  readonly summary?: string | null;
  readonly evaluationResults?: ReadonlyArray<{ readonly id: string; readonly result: EvaluationResult }>;
  /** data_collection_results: id -> raw value or { value, rationale } */
  readonly dataCollected?: Readonly<Record<string, unknown>>;
}

export interface ConversationOutcomeInput {
  readonly lead: LeadSnapshot;
  readonly turns: readonly TranscriptTurn[];
  readonly analysis?: ProviderAnalysis;
  readonly keywords?: KeywordSetOverrides | null;
  readonly endedAt: Date;
}

export interface LeadChanges {
  score: number;
  scoreReasons: Array<{ code: string; points: number; detail: string }>;
  sentiment: string;
  interests: string[];
  keywords: string[];
  summary: string;
  actionItems: Array<{ type: string; detail: string }>;
  interactionCount: number;
  lastContactAt: Date;
  status: LeadStatus;
  name?: string;
  email?: string;
}

export interface ConversationOutcome {
  changes: LeadChanges;
  findings: TranscriptFindings;
  score: LeadScore;
  summarySource: 'elevenlabs' | 'switchboard';
}

export function conversationOutcome(input: ConversationOutcomeInput): ConversationOutcome {
  const { lead, turns, analysis } = input;
  const findings = analyseTranscript(turns, mergeKeywordSets(DEFAULT_KEYWORD_SETS, input.keywords));
  const collected = collectedContact(analysis?.dataCollected);
  // Details a person typed in (or an earlier call collected) are not overwritten by the AI.
  const name = lead.name ? undefined : collected.name;
  const email = lead.email ? undefined : collected.email;
  const interactionCount = lead.interactionCount + 1;
  const score = scoreLead({
    findings,
    elevenLabs: analysis
      ? { callSuccessful: analysis.callSuccessful, evaluationResults: analysis.evaluationResults, dataCollected: analysis.dataCollected }
      : undefined,
    interactionCount,
    hasName: !!(lead.name || name),
    hasEmail: !!(lead.email || email),
    previousScore: lead.interactionCount > 0 ? lead.score : undefined,
  });
  const providerSummary = analysis?.summary?.trim();
  const summary = providerSummary || summariseTranscript(turns, findings);
  return {
    findings,
    score,
    summarySource: providerSummary ? 'elevenlabs' : 'switchboard',
    changes: {
      score: score.score,
      scoreReasons: score.reasons.map((r) => ({ ...r })),
      sentiment: findings.sentiment,
      interests: mostRecentFirst(findings.interests, lead.interests, MAX_INTERESTS),
      keywords: mostRecentFirst(findings.keywords, lead.keywords, MAX_KEYWORDS),
      summary,
      actionItems: findings.actionItems.map((a) => ({ type: a.type, detail: a.detail })),
      interactionCount,
      lastContactAt: lead.lastContactAt && lead.lastContactAt > input.endedAt ? lead.lastContactAt : input.endedAt,
      status: nextStatus(lead.status, score.suggestedStatus),
      ...(name ? { name } : {}),
      ...(email ? { email } : {}),
    },
  };
}

/**
 * Automatic status moves only forward from new/contacted, and an unqualified lead may come back
 * qualified; customer and qualified are never taken away by one call.
 */
export function nextStatus(current: LeadStatus, suggested: LeadStatus): LeadStatus {
  if (current === 'customer' || current === 'qualified') return current;
  if (current === 'unqualified') return suggested === 'qualified' ? 'qualified' : current;
  return suggested === 'new' ? current : suggested;
}

/** Name and e-mail from ElevenLabs data collection (ids like `name`, `customer_email`), when usable. */
export function collectedContact(dataCollected: Readonly<Record<string, unknown>> | undefined): { name?: string; email?: string } {
  const result: { name?: string; email?: string } = {};
  for (const [id, raw] of Object.entries(dataCollected ?? {})) {
    const value = valueOf(raw);
    if (typeof value !== 'string') continue;
    const text = value.trim().replace(/\s+/g, ' ');
    if (PLACEHOLDERS.has(text.toLowerCase())) continue;
    if (!result.name && NAME_KEYS.test(id) && text.length <= 200 && !text.includes('@')) result.name = text;
    if (!result.email && EMAIL_KEYS.test(id) && text.length <= 254 && EMAIL.test(text)) result.email = text.toLowerCase();
  }
  return result;
}

function valueOf(raw: unknown): unknown {
  return raw !== null && typeof raw === 'object' && 'value' in raw ? raw.value : raw;
}

function mostRecentFirst(latest: readonly string[], earlier: readonly string[], max: number): string[] {
  return [...new Set([...latest, ...earlier])].slice(0, max);
}
