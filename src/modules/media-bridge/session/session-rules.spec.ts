import { describe, expect, it } from '@jest/globals';
import { isStaleAgentAudio, requiredAudioFormatProblem } from './session-rules.js';

describe('isStaleAgentAudio', () => {
  it.each([
    [5, 0, false], // no interruption yet
    [4, 7, true],
    [7, 7, true], // same id as the interruption: the interrupted turn (py-sdk rule)
    [8, 7, false],
  ])('audio %i after interruption %i → stale %s', (eventId, interruption, stale) => {
    expect(isStaleAgentAudio(eventId, interruption)).toBe(stale);
  });
});

describe('requiredAudioFormatProblem', () => {
  it.each([
    ['ulaw_8000', 'ulaw_8000', null],
    ['pcm_16000', 'ulaw_8000', /user_input_audio_format is pcm_16000/],
    ['ulaw_8000', 'pcm_22050', /agent_output_audio_format is pcm_22050/],
    ['', '', /missing.*missing/],
  ])('input %s output %s', (input, output, problem) => {
    const result = requiredAudioFormatProblem({ userInputAudioFormat: input, agentOutputAudioFormat: output });
    if (problem === null) expect(result).toBeNull();
    else expect(result).toMatch(problem);
  });
});
