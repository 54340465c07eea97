import { describe, expect, it } from '@jest/globals';
import { compileTerms, findHits, prepareText, redactContactDetails, tokenise, truncateOnWord } from './text-matching.js';

describe('text-matching', () => {
  describe(tokenise.name, () => {
    it.each([
      { text: "Don’t CANCEL my boiler's service!!", tokens: ["don't", 'cancel', 'my', 'boiler', 'service'] },
      { text: '¿Cuánto cuesta? Müller-Straße, 2:30pm', tokens: ['cuanto', 'cuesta', 'muller', 'straße', '2', '30pm'] },
      { text: '  ...  ', tokens: [] },
    ])('should tokenise "$text"', ({ text, tokens }) => {
      expect(tokenise(text)).toEqual(tokens);
    });
  });

  describe(findHits.name, () => {
    const terms = compileTerms(['call me', 'call me back', 'cancel*']);

    it.each([
      { text: 'Can you call me back?', hits: [{ term: 'call me back', negated: false }] },
      { text: 'It got cancelled.', hits: [{ term: 'cancel', negated: false }] },
      { text: "Please don't call me.", hits: [{ term: 'call me', negated: true }] },
      { text: "I don't mind, but call me back.", hits: [{ term: 'call me back', negated: false }] },
      { text: 'No, cancel it.', hits: [{ term: 'cancel', negated: false }] },
      { text: 'No cancellation please.', hits: [{ term: 'cancel', negated: true }] },
    ])('should find $hits in "$text"', ({ text, hits }) => {
      expect(findHits(prepareText(text), terms).map(({ term, negated }) => ({ term, negated }))).toEqual(hits);
    });
  });

  describe(truncateOnWord.name, () => {
    it.each([
      { text: 'short', max: 10, out: 'short' },
      { text: 'The boiler is leaking badly', max: 16, out: 'The boiler is\u2026' },
      { text: 'Hello, world and more', max: 8, out: 'Hello\u2026' },
      { text: 'Supercalifragilistic', max: 6, out: 'Super\u2026' },
      { text: 'abc', max: 0, out: '' },
    ])('should cut "$text" to $max', ({ text, max, out }) => {
      expect(truncateOnWord(text, max)).toBe(out);
      expect(truncateOnWord(text, max).length).toBeLessThanOrEqual(max);
    });
  });

  describe(redactContactDetails.name, () => {
    it.each([
      { text: 'Mail me at a.b+c@example.co.uk', out: 'Mail me at [email]' },
      { text: 'Call +44 (0)20 7946 0958 please', out: 'Call [number] please' },
      { text: 'It was £89.50 at 2:30, ref 12-34', out: 'It was £89.50 at 2:30, ref 12-34' },
    ])('should redact "$text"', ({ text, out }) => {
      expect(redactContactDetails(text)).toBe(out);
    });
  });
});
