import { describe, expect, it } from '@jest/globals';
import { handbackText } from './handback.js';

describe(handbackText.name, () => {
  it.each([
    ['completed', /call has ended/],
    ['no-answer', /nobody could take the call \(no-answer\)/],
    ['busy', /\(busy\)/],
    ['failed', /\(failed\)/],
  ])('should explain a %s human leg', (status, expected) => {
    expect(handbackText(status).note).toMatch(expected);
  });

  it('should carry the transfer reason', () => {
    expect(handbackText('completed', 'billing question').note).toContain('(reason: billing question)');
  });
});
