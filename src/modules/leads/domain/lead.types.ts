// Types of the pure leads domain (STYLE.md §7.11). Persistence-shaped entities are mapped to
// these in LeadsService; nothing here knows about TypeORM, Nest or a provider SDK.

/** user = the caller/customer, agent = the ElevenLabs AI, human = a human operator who took over. */
export type TranscriptRole = 'user' | 'agent' | 'human';

export interface TranscriptTurn {
  readonly role: TranscriptRole;
  readonly text: string;
  readonly offsetSecs?: number;
}

// Intents we detect from trigger phrases. general_inquiry is derived (caller spoke, nothing more specific).
export type DetectedIntent =
  'book_appointment' | 'request_quote' | 'ask_price' | 'request_callback' | 'send_information' | 'reschedule' | 'cancel' | 'complaint' | 'not_interested';

export type LeadIntent = DetectedIntent | 'general_inquiry';

/**
 * Per-tenant vocabulary. Terms are words or phrases matched case-, accent- and punctuation-
 * insensitively on word boundaries; a trailing `*` makes the last word a prefix ("cancel*").
 * Tenants extend DEFAULT_KEYWORD_SETS through mergeKeywordSets().
 */
export interface KeywordSet {
  /** interest label -> trigger terms, e.g. { boiler_repair: ['boiler', 'combi'] } */
  readonly interests: Readonly<Record<string, readonly string[]>>;
  readonly intents?: Readonly<Partial<Record<DetectedIntent, readonly string[]>>>;
  readonly positive?: readonly string[];
  readonly negative?: readonly string[];
  /** urgency / readiness-to-buy language ("asap", "go ahead") */
  readonly highIntent?: readonly string[];
  readonly profanity?: readonly string[];
  /** how a caller says yes to an agent's offer ("yes please", "sure") */
  readonly affirmative?: readonly string[];
}

export type KeywordSetOverrides = Partial<KeywordSet>;

export type Sentiment = 'positive' | 'neutral' | 'negative';

export type ActionItemType =
  | 'callback_requested'
  | 'appointment_wanted'
  | 'price_asked'
  | 'quote_requested'
  | 'send_information'
  | 'reschedule_requested'
  | 'cancellation_requested'
  | 'escalate_complaint'
  | 'urgent_follow_up';

export interface ActionItem {
  readonly type: ActionItemType;
  /** short human sentence, quotes the caller where useful */
  readonly detail: string;
}

export interface TranscriptFindings {
  /** matched interest/intent/high-intent terms, deduped, in order of first mention */
  readonly keywords: string[];
  /** interest labels in order of first mention */
  readonly interests: string[];
  readonly sentiment: Sentiment;
  /** -1..1, rounded to 2 decimals */
  readonly sentimentScore: number;
  /** in order of first mention; ['general_inquiry'] when the caller spoke but nothing matched */
  readonly intents: LeadIntent[];
  readonly actionItems: ActionItem[];
  /** caller used urgency / readiness-to-buy language */
  readonly highIntent: boolean;
  /** caller used profanity */
  readonly profanity: boolean;
  readonly userTurnCount: number;
  readonly agentTurnCount: number;
  readonly humanTurnCount: number;
  readonly userWordCount: number;
  /** cheap stop-word guess ('en' | 'es' | 'fr' | 'de'); undefined when unsure */
  readonly languageHint?: string;
}

/** Mirrors ElevenLabs analysis.call_successful / evaluation_criteria_results[].result. */
export type EvaluationResult = 'success' | 'failure' | 'unknown';

export interface ElevenLabsAnalysisSignals {
  readonly callSuccessful?: EvaluationResult;
  readonly evaluationResults?: ReadonlyArray<{ readonly id: string; readonly result: EvaluationResult }>;
  /** data_collection_results: raw values or the ElevenLabs `{ value, rationale }` objects */
  readonly dataCollected?: Readonly<Record<string, unknown>>;
}

export interface LeadSignals {
  readonly findings: TranscriptFindings;
  readonly elevenLabs?: ElevenLabsAnalysisSignals;
  /** total interactions with this lead, the current one included */
  readonly interactionCount?: number;
  readonly hasEmail?: boolean;
  readonly hasName?: boolean;
  /** score before this interaction (0..100) */
  readonly previousScore?: number;
}

export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'unqualified';

export interface LeadScoreReason {
  readonly code: string;
  readonly points: number;
  /** e.g. "Asked for a price (+10)" */
  readonly detail: string;
}

export interface LeadScore {
  /** integer 0..100, always equal to the sum of reasons[].points */
  readonly score: number;
  readonly reasons: LeadScoreReason[];
  readonly suggestedStatus: LeadStatus;
}

export interface ScoringWeights {
  /** starting score, reported as the BASE reason */
  readonly base: number;
  readonly intents: Readonly<Record<LeadIntent, number>>;
  readonly interestEach: number;
  readonly interestMax: number;
  readonly highIntent: number;
  readonly positiveSentiment: number;
  readonly negativeSentiment: number;
  readonly profanity: number;
  /** caller words at or above which the call counts as engaged */
  readonly engagedWordCount: number;
  readonly engaged: number;
  /** applied when the caller never spoke */
  readonly noCallerSpeech: number;
  readonly callSuccessful: Readonly<Record<EvaluationResult, number>>;
  readonly evaluationPassedEach: number;
  readonly evaluationFailedEach: number;
  /** cap on |points| from evaluation criteria, per direction */
  readonly evaluationMax: number;
  readonly dataCollectedEach: number;
  readonly dataCollectedMax: number;
  readonly hasName: number;
  readonly hasEmail: number;
  readonly returningEach: number;
  readonly returningMax: number;
  /** fraction of (previousScore - base) carried into this score */
  readonly previousScoreCarry: number;
  readonly previousScoreCarryMax: number;
  readonly qualifiedAt: number;
  readonly unqualifiedBelow: number;
}
