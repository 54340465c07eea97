import { DEFAULT_KEYWORD_SETS } from './keyword-sets.js';
import { guessLanguage } from './language-hint.js';
import type {
  ActionItem,
  ActionItemType,
  DetectedIntent,
  KeywordSet,
  LeadIntent,
  Sentiment,
  TranscriptFindings,
  TranscriptRole,
  TranscriptTurn,
} from './lead.types.js';
import { compileTerms, findHits, prepareText, redactContactDetails, truncateOnWord } from './text-matching.js';
import type { CompiledTerm, PreparedText, TermHit } from './text-matching.js';

interface PreparedTurn {
  readonly role: TranscriptRole;
  readonly text: PreparedText;
}

interface Vocabulary {
  readonly interests: ReadonlyArray<{ readonly label: string; readonly terms: CompiledTerm[] }>;
  readonly intents: ReadonlyArray<{ readonly intent: DetectedIntent; readonly terms: CompiledTerm[] }>;
  readonly positive: CompiledTerm[];
  readonly negative: CompiledTerm[];
  readonly highIntent: CompiledTerm[];
  readonly profanity: CompiledTerm[];
  readonly affirmative: CompiledTerm[];
}

interface IntentEvidence {
  readonly intent: DetectedIntent;
  readonly position: number;
  /** the caller's sentence, or the agent's question when the caller just said yes to it */
  readonly quote: string;
  readonly viaOffer: boolean;
}

// Intents an agent can offer and a caller can take with a plain "yes". Cancel and complaint are
// deliberately absent: "Would you like to cancel?" / "Yes" is too ambiguous to act on.
const OFFERABLE_INTENTS: ReadonlySet<DetectedIntent> = new Set(['book_appointment', 'request_callback', 'send_information', 'request_quote']);

// A caller who only said "hello? hello?" did not make an inquiry.
const MIN_WORDS_FOR_INQUIRY = 4;
// Smoothing keeps one stray word from pinning the score at ±1.
const SENTIMENT_SMOOTHING = 1;
const SENTIMENT_THRESHOLD = 0.25;
const QUOTE_MAX_CHARS = 90;

const ACTIONS: Readonly<Partial<Record<DetectedIntent, { type: ActionItemType; lead: string }>>> = {
  ask_price: { type: 'price_asked', lead: 'Asked about pricing' },
  request_quote: { type: 'quote_requested', lead: 'Wants a quote' },
  book_appointment: { type: 'appointment_wanted', lead: 'Wants to book an appointment' },
  request_callback: { type: 'callback_requested', lead: 'Asked to be called back' },
  send_information: { type: 'send_information', lead: 'Wants information sent over' },
  reschedule: { type: 'reschedule_requested', lead: 'Wants to reschedule' },
  cancel: { type: 'cancellation_requested', lead: 'Wants to cancel' },
  complaint: { type: 'escalate_complaint', lead: 'Raised a complaint, escalate to a person' },
};

/**
 * Keyword, interest, intent and sentiment analysis of a call. Only the caller's ('user') turns
 * count as evidence; agent and human-operator turns matter only when the caller answers "yes"
 * to a question offering a booking, callback, quote or information (see acceptedOffers).
 */
export function analyseTranscript(turns: readonly TranscriptTurn[], keywordSet: KeywordSet = DEFAULT_KEYWORD_SETS): TranscriptFindings {
  const prepared = prepareTurns(turns);
  const vocabulary = compileVocabulary(keywordSet);
  const userTexts = prepared.filter((t) => t.role === 'user').map((t) => t.text);
  const userWordCount = userTexts.reduce((total, t) => total + t.wordCount, 0);

  const interestHits = vocabulary.interests.map(({ label, terms }) => ({ label, hits: affirmed(hitsIn(userTexts, terms)) }));
  const intentHits = vocabulary.intents.map(({ intent, terms }) => ({ intent, hits: affirmed(hitsIn(userTexts, terms)) }));
  const highIntentHits = affirmed(hitsIn(userTexts, vocabulary.highIntent));
  const evidence = firstEvidencePerIntent([...ownStatements(intentHits), ...acceptedOffers(prepared, vocabulary)]);

  return {
    keywords: keywordsInOrder([...interestHits.flatMap((i) => i.hits), ...intentHits.flatMap((i) => i.hits), ...highIntentHits]),
    interests: interestsInOrder(interestHits),
    ...measureSentiment(userTexts, vocabulary),
    intents: listIntents(evidence, userWordCount),
    actionItems: buildActionItems(evidence, highIntentHits),
    highIntent: highIntentHits.length > 0,
    profanity: hitsIn(userTexts, vocabulary.profanity).length > 0,
    userTurnCount: countSpokenTurns(prepared, 'user'),
    agentTurnCount: countSpokenTurns(prepared, 'agent'),
    humanTurnCount: countSpokenTurns(prepared, 'human'),
    userWordCount,
    languageHint: guessLanguage(userTexts.flatMap(tokensOf)),
  };
}

// Positions run across the whole transcript so "first mentioned" is well defined.
function prepareTurns(turns: readonly TranscriptTurn[]): PreparedTurn[] {
  let position = 0;
  return turns.map((turn) => {
    // Webhook transcripts carry null messages for tool-call turns; treat them as silence.
    const text = prepareText(typeof turn.text === 'string' ? turn.text : '', position);
    position += text.wordCount;
    return { role: turn.role, text };
  });
}

function compileVocabulary(set: KeywordSet): Vocabulary {
  return {
    interests: Object.entries(set.interests).map(([label, terms]) => ({ label, terms: compileTerms(terms) })),
    intents: (Object.entries(set.intents ?? {}) as Array<[DetectedIntent, readonly string[]]>).map(([intent, terms]) => ({
      intent,
      terms: compileTerms(terms),
    })),
    positive: compileTerms(set.positive),
    negative: compileTerms(set.negative),
    highIntent: compileTerms(set.highIntent),
    profanity: compileTerms(set.profanity),
    affirmative: compileTerms(set.affirmative),
  };
}

function hitsIn(texts: readonly PreparedText[], terms: readonly CompiledTerm[]): TermHit[] {
  return texts.flatMap((text) => findHits(text, terms));
}

function affirmed(hits: readonly TermHit[]): TermHit[] {
  return hits.filter((h) => !h.negated);
}

function tokensOf(text: PreparedText): string[] {
  return text.sentences.flatMap((s) => s.clauses.flatMap((c) => [...c.tokens]));
}

function countSpokenTurns(turns: readonly PreparedTurn[], role: TranscriptRole): number {
  return turns.filter((t) => t.role === role && t.text.wordCount > 0).length;
}

function keywordsInOrder(hits: readonly TermHit[]): string[] {
  const ordered = [...hits].sort((a, b) => a.position - b.position);
  const seen = new Set<string>();
  const keywords: string[] = [];
  for (const { term } of ordered) {
    const key = term.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    keywords.push(term);
  }
  return keywords;
}

function interestsInOrder(interests: ReadonlyArray<{ label: string; hits: TermHit[] }>): string[] {
  return interests
    .filter((i) => i.hits.length > 0)
    .map((i, index) => ({ label: i.label, first: i.hits[0].position, index }))
    .sort((a, b) => a.first - b.first || a.index - b.index)
    .map((i) => i.label);
}

function ownStatements(intentHits: ReadonlyArray<{ intent: DetectedIntent; hits: TermHit[] }>): IntentEvidence[] {
  return intentHits
    .filter((i) => i.hits.length > 0)
    .map(({ intent, hits: [hit] }) => ({ intent, position: hit.position, quote: hit.sentence.text, viaOffer: false }));
}

// "Would you like me to book you in for Tuesday?" / "Yes please." is the caller's intent even
// though the caller never said "book". Only a question from the agent or operator immediately
// before, and a caller turn that opens with an affirmative, qualify.
function acceptedOffers(turns: readonly PreparedTurn[], vocabulary: Vocabulary): IntentEvidence[] {
  const evidence: IntentEvidence[] = [];
  turns.forEach((turn, index) => {
    const previous = turns[index - 1];
    if (turn.role !== 'user' || !previous || previous.role === 'user') return;
    const yes = openingAffirmative(turn.text, vocabulary.affirmative);
    if (yes === undefined) return;
    for (const { intent, terms } of vocabulary.intents) {
      if (!OFFERABLE_INTENTS.has(intent)) continue;
      const offer = findHits(previous.text, terms).find((h) => !h.negated && h.sentence.isQuestion);
      if (offer) evidence.push({ intent, position: yes, quote: offer.sentence.text, viaOffer: true });
    }
  });
  return evidence;
}

function openingAffirmative(text: PreparedText, affirmative: readonly CompiledTerm[]): number | undefined {
  const first = text.sentences[0]?.clauses[0];
  if (!first) return undefined;
  const hit = findHits(text, affirmative)[0];
  return hit && hit.position === first.start ? hit.position : undefined;
}

function firstEvidencePerIntent(evidence: readonly IntentEvidence[]): IntentEvidence[] {
  const byIntent = new Map<DetectedIntent, IntentEvidence>();
  for (const item of [...evidence].sort((a, b) => a.position - b.position)) {
    if (!byIntent.has(item.intent)) byIntent.set(item.intent, item);
  }
  return [...byIntent.values()];
}

function listIntents(evidence: readonly IntentEvidence[], userWordCount: number): LeadIntent[] {
  if (evidence.length > 0) return evidence.map((e) => e.intent);
  return userWordCount >= MIN_WORDS_FOR_INQUIRY ? ['general_inquiry'] : [];
}

// Negated praise ("not happy") counts as negative; negated criticism ("not bad") is dropped
// rather than flipped, because hedged or sarcastic use is common on calls.
function measureSentiment(texts: readonly PreparedText[], vocabulary: Vocabulary): { sentiment: Sentiment; sentimentScore: number } {
  let positive = 0;
  let negative = 0;
  for (const hit of hitsIn(texts, vocabulary.positive)) {
    if (hit.negated) negative++;
    else positive++;
  }
  negative += affirmed(hitsIn(texts, vocabulary.negative)).length;
  const raw = (positive - negative) / (positive + negative + SENTIMENT_SMOOTHING);
  const sentimentScore = Math.round(raw * 100) / 100 || 0; // `|| 0` turns -0 into 0
  const sentiment: Sentiment = sentimentScore >= SENTIMENT_THRESHOLD ? 'positive' : sentimentScore <= -SENTIMENT_THRESHOLD ? 'negative' : 'neutral';
  return { sentiment, sentimentScore };
}

function buildActionItems(evidence: readonly IntentEvidence[], highIntentHits: readonly TermHit[]): ActionItem[] {
  const items: ActionItem[] = [];
  for (const item of evidence) {
    const action = ACTIONS[item.intent];
    if (!action) continue;
    const quote = truncateOnWord(redactContactDetails(item.quote), QUOTE_MAX_CHARS);
    const detail = item.viaOffer ? `${action.lead} (said yes to "${quote}")` : `${action.lead}: "${quote}"`;
    items.push({ type: action.type, detail });
  }
  if (highIntentHits.length > 0) {
    const terms = keywordsInOrder(highIntentHits)
      .map((t) => `"${t}"`)
      .join(', ');
    items.push({ type: 'urgent_follow_up', detail: `Signalled urgency or readiness (${terms}), follow up quickly` });
  }
  return items;
}
