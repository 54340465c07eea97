import { tokenise } from './text-matching.js';

// Stop words are the cheapest reliable language signal in short, noisy ASR text. Lists are
// normalised (no accents) like the tokens they are compared with; words shared by several
// languages ("la", "de", "que") are left out so they cannot tip the balance.
const STOP_WORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  en: new Set(
    tokenise('the and is are you i it my for with that this what can have would could do me please yes how was will need want just there your of to'),
  ),
  es: new Set(
    tokenise(
      'el los las y es por para con una mi quiero necesito gracias hola sí pero como cuánto cuanto está esta tiene puede buenos días usted lo del al muy también tengo hay',
    ),
  ),
  fr: new Set(tokenise("le les et est je vous pour avec une mon ma des pas bonjour merci oui c'est j'ai voudrais il nous sur au aussi très")),
  de: new Set(tokenise('der die das und ist ich sie mit für ein eine nicht ja bitte danke guten tag mein meine haben kann wir auf zu auch sehr')),
};

// Below these we answer "unsure": a two-word "ok thanks" says nothing about the language.
const MIN_HITS = 3;
const MIN_SHARE_OF_TOKENS = 0.15;
const MIN_LEAD_RATIO = 2;

/** Returns 'en' | 'es' | 'fr' | 'de', or undefined when the evidence is thin or mixed. */
export function guessLanguage(tokens: readonly string[]): string | undefined {
  const ranked = Object.entries(STOP_WORDS)
    .map(([language, words]) => ({ language, hits: tokens.filter((t) => words.has(t)).length }))
    .sort((a, b) => b.hits - a.hits);
  const [best, second] = ranked;
  if (!best || best.hits < MIN_HITS || best.hits < tokens.length * MIN_SHARE_OF_TOKENS) return undefined;
  if (second && second.hits * MIN_LEAD_RATIO > best.hits) return undefined;
  return best.language;
}
