import type { LeadIntent, TranscriptFindings, TranscriptTurn } from './lead.types.js';
import { compileTerms, findHits, prepareText, redactContactDetails, truncateOnWord } from './text-matching.js';
import type { CompiledTerm, PreparedSentence } from './text-matching.js';

// Fallback for calls where ElevenLabs sent no analysis.transcript_summary. Extractive and
// deterministic on purpose: it must never invent facts, and the same call must always read the same.
// Quotes are stripped of e-mails and phone numbers, which live in their own lead fields.

const INTENT_PHRASES: Readonly<Record<LeadIntent, string>> = {
  ask_price: 'asked about pricing',
  request_quote: 'wants a quote',
  book_appointment: 'wants to book an appointment',
  request_callback: 'asked for a callback',
  send_information: 'wants information sent over',
  reschedule: 'wants to reschedule',
  cancel: 'wants to cancel',
  complaint: 'raised a complaint',
  not_interested: 'said they are not interested',
  general_inquiry: 'made a general inquiry',
};

const MAX_TOPICS = 3;
// "Yes please." or "Hi there." carries nothing worth quoting.
const MIN_QUOTABLE_WORDS = 3;
const KEYWORD_WEIGHT = 3;
const LENGTH_CAP_WORDS = 25;
// Below this many spare characters a cut-down quote is noise rather than help.
const MIN_PARTIAL_QUOTE_CHARS = 40;

interface Candidate {
  readonly text: string;
  readonly order: number;
  readonly informativeness: number;
}

export function summariseTranscript(turns: readonly TranscriptTurn[], findings: TranscriptFindings, maxChars = 280): string {
  if (findings.userWordCount === 0) return truncateOnWord(describeSilentCall(findings), maxChars);
  const headline = describeFindings(findings);
  const candidates = quotableSentences(turns, compileTerms(findings.keywords));
  const wrapper = ' Caller said: ""';
  const quote = pickQuote(candidates, maxChars - headline.length - wrapper.length);
  return truncateOnWord(quote ? `${headline} Caller said: "${quote}"` : headline, maxChars);
}

function quotableSentences(turns: readonly TranscriptTurn[], keywords: readonly CompiledTerm[]): Candidate[] {
  const userSentences = turns.filter((t) => t.role === 'user' && typeof t.text === 'string').flatMap((t) => prepareText(t.text).sentences);
  return userSentences
    .map((sentence, order) => ({ text: redactContactDetails(sentence.text), order, informativeness: rate(sentence, keywords), words: wordsIn(sentence) }))
    .filter((c) => c.words >= MIN_QUOTABLE_WORDS)
    .map(({ text, order, informativeness }) => ({ text, order, informativeness }));
}

// Sentences naming more of the matched keywords say more about the lead; length breaks ties.
function rate(sentence: PreparedSentence, keywords: readonly CompiledTerm[]): number {
  const distinct = new Set(findHits({ sentences: [sentence], wordCount: 0 }, keywords).map((h) => h.term)).size;
  return distinct * KEYWORD_WEIGHT + Math.min(wordsIn(sentence), LENGTH_CAP_WORDS) / LENGTH_CAP_WORDS;
}

function wordsIn(sentence: PreparedSentence): number {
  return sentence.clauses.reduce((total, c) => total + c.tokens.length, 0);
}

// Greedy by informativeness, then put back in call order so the quote reads naturally.
function pickQuote(candidates: readonly Candidate[], budget: number): string {
  const ranked = [...candidates].sort((a, b) => b.informativeness - a.informativeness || a.order - b.order);
  const chosen: Candidate[] = [];
  let used = 0;
  for (const candidate of ranked) {
    const cost = candidate.text.length + (chosen.length > 0 ? 1 : 0);
    if (used + cost > budget) continue;
    chosen.push(candidate);
    used += cost;
  }
  if (chosen.length === 0 && ranked.length > 0 && budget >= MIN_PARTIAL_QUOTE_CHARS) {
    return truncateOnWord(ranked[0].text, budget);
  }
  return chosen
    .sort((a, b) => a.order - b.order)
    .map((c) => c.text)
    .join(' ');
}

function describeFindings(findings: TranscriptFindings): string {
  const actions = findings.intents.map((intent) => INTENT_PHRASES[intent]);
  const what = actions.length > 0 ? joinList(actions) : 'spoke only briefly';
  const topics = findings.interests.slice(0, MAX_TOPICS).map((label) => label.replace(/_/g, ' '));
  const about = topics.length > 0 ? ` (topics: ${topics.join(', ')})` : '';
  const tone = findings.sentiment === 'negative' ? '; tone was negative' : '';
  return `Caller ${what}${about}${tone}.`;
}

function describeSilentCall(findings: TranscriptFindings): string {
  const others = findings.agentTurnCount + findings.humanTurnCount;
  if (others === 0) return 'No conversation was captured.';
  return `The caller did not speak; the agent spoke ${others} time${others === 1 ? '' : 's'}.`;
}

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
