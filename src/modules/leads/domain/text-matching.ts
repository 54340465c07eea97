// Cheap, deterministic text matching for call transcripts: Unicode-aware tokens, phrase terms and a
// short look-back negation window. No NLP library on purpose: it runs on every call, must be
// predictable, and each result has to be explainable to a tenant ("matched 'how much'").

export interface CompiledTerm {
  /** the term as configured (without a trailing `*`), reported back as the keyword */
  readonly term: string;
  readonly tokens: readonly string[];
  /** last token matches as a prefix ("cancel*" -> cancelled, cancellation) */
  readonly prefix: boolean;
}

export interface PreparedClause {
  readonly tokens: readonly string[];
  /** transcript-wide index of the first token, so hits from different turns can be ordered */
  readonly start: number;
}

export interface PreparedSentence {
  readonly text: string;
  readonly isQuestion: boolean;
  readonly clauses: readonly PreparedClause[];
}

export interface PreparedText {
  readonly sentences: readonly PreparedSentence[];
  readonly wordCount: number;
}

export interface TermHit {
  readonly term: string;
  /** transcript-wide token index where the match starts */
  readonly position: number;
  readonly sentence: PreparedSentence;
  readonly negated: boolean;
}

// Four tokens catches "I don't really want to cancel" without reaching into unrelated words.
export const NEGATION_WINDOW = 4;

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'without',
  'neither',
  'nor',
  'hardly',
  "don't",
  'dont',
  "doesn't",
  'doesnt',
  "didn't",
  'didnt',
  "won't",
  'wont',
  "can't",
  'cant',
  'cannot',
  "isn't",
  'isnt',
  "aren't",
  'arent',
  "wasn't",
  'wasnt',
  "weren't",
  "shouldn't",
  "wouldn't",
  'wouldnt',
  "haven't",
  "hasn't",
  'nunca',
  'jamas',
  'ni',
  'pas',
  'jamais',
  'nicht',
  'kein',
  'keine',
  'nie',
]);

// A contrast word ends the negation scope: "not cheap but I'd like to book" still books.
const CONTRAST = new Set(['but', 'however', 'although', 'though', 'pero', 'sino', 'mais', 'aber']);

const APOSTROPHES = /[\u2019\u2018\u02BC\u0060\u00B4]/g;
const COMBINING_MARKS = /\p{M}+/gu;
const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;
// Split after terminal punctuation followed by space, so "£89.50" stays one sentence.
const SENTENCE_BREAK = /(?<=[.!?\u2026])\s+|[\r\n]+/u;
const CLAUSE_BREAK = /[,;:()[\]"\u201C\u201D\u00AB\u00BB\u2013\u2014]|\s-\s/u;

/** Lower-case, unify apostrophes and strip accents so "Qué" matches "que" and "don’t" matches "don't". */
export function normaliseText(text: string): string {
  return text.replace(APOSTROPHES, "'").normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase();
}

export function tokenise(text: string): string[] {
  // Possessive 's is dropped so "boiler's" matches the term "boiler".
  return (normaliseText(text).match(TOKEN) ?? []).map((t) => (t.endsWith("'s") ? t.slice(0, -2) : t));
}

export function compileTerms(terms: readonly string[] = []): CompiledTerm[] {
  const seen = new Set<string>();
  const compiled: CompiledTerm[] = [];
  for (const raw of terms) {
    const prefix = /\*\s*$/.test(raw);
    const term = raw.replace(/\*+\s*$/, '').trim();
    const tokens = tokenise(term);
    const key = `${tokens.join(' ')}${prefix ? '*' : ''}`;
    if (tokens.length === 0 || seen.has(key)) continue;
    seen.add(key);
    compiled.push({ term, tokens, prefix });
  }
  return compiled;
}

/** Splits text into sentences and clauses; `start` is the transcript-wide index of its first token. */
export function prepareText(text: string, start = 0): PreparedText {
  const sentences: PreparedSentence[] = [];
  let position = start;
  for (const rawSentence of text.split(SENTENCE_BREAK)) {
    const sentenceText = rawSentence.trim();
    const clauses: PreparedClause[] = [];
    for (const rawClause of sentenceText.split(CLAUSE_BREAK)) {
      const tokens = tokenise(rawClause);
      if (tokens.length === 0) continue;
      clauses.push({ tokens, start: position });
      position += tokens.length;
    }
    if (clauses.length > 0) sentences.push({ text: sentenceText, isQuestion: sentenceText.includes('?'), clauses });
  }
  return { sentences, wordCount: position - start };
}

/**
 * Matches of `terms` in reading order. At each position only the longest matching term counts,
 * so "call me back" is reported once rather than also as "call me".
 */
export function findHits(text: PreparedText, terms: readonly CompiledTerm[]): TermHit[] {
  const hits: TermHit[] = [];
  if (terms.length === 0) return hits;
  for (const sentence of text.sentences) {
    for (const clause of sentence.clauses) {
      for (let i = 0; i < clause.tokens.length; i++) {
        const term = longestMatchAt(clause.tokens, i, terms);
        if (!term) continue;
        hits.push({ term: term.term, position: clause.start + i, sentence, negated: isNegated(clause.tokens, i) });
      }
    }
  }
  return hits;
}

function longestMatchAt(tokens: readonly string[], index: number, terms: readonly CompiledTerm[]): CompiledTerm | undefined {
  let best: CompiledTerm | undefined;
  for (const term of terms) {
    if (matchesAt(tokens, index, term) && (!best || term.tokens.length > best.tokens.length)) best = term;
  }
  return best;
}

function matchesAt(tokens: readonly string[], index: number, term: CompiledTerm): boolean {
  if (index + term.tokens.length > tokens.length) return false;
  const last = term.tokens.length - 1;
  return term.tokens.every((want, k) => {
    const got = tokens[index + k];
    return k === last && term.prefix ? got.startsWith(want) : got === want;
  });
}

function isNegated(tokens: readonly string[], index: number): boolean {
  for (let j = index - 1; j >= Math.max(0, index - NEGATION_WINDOW); j--) {
    const token = tokens[j];
    if (CONTRAST.has(token)) return false;
    // ASR often drops the comma in "No I want to cancel": a clause-initial "no" that is not
    // directly in front of the term is an answer, not a negation.
    if (token === 'no' && j === 0 && j !== index - 1) continue;
    if (NEGATORS.has(token)) return true;
  }
  return false;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
// Seven or more digits with separators: phone, card or account numbers, never a price or a time.
const LONG_NUMBER = /\+?\d[\d\s().-]{5,}\d/g;

/** Masks e-mail addresses and long digit runs before a caller's words are quoted in a summary. */
export function redactContactDetails(text: string): string {
  return text.replace(EMAIL, '[email]').replace(LONG_NUMBER, (match) => (match.replace(/\D/g, '').length >= 7 ? '[number]' : match));
}

/** Trims to at most maxChars on a word boundary, marking the cut with an ellipsis. */
export function truncateOnWord(text: string, maxChars: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= maxChars) return clean;
  if (maxChars < 2) return clean.slice(0, Math.max(0, maxChars));
  const cut = clean.slice(0, maxChars - 1);
  const lastSpace = cut.lastIndexOf(' ');
  const head = lastSpace > 0 ? cut.slice(0, lastSpace) : cut;
  return `${head.replace(/[\s,;:.!?"'\-\u2013\u2014]+$/u, '')}\u2026`;
}
