import { describe, expect, it } from '@jest/globals';
import { dispatchIntervalMs, isMachine, machineAction, machineDetectionMode } from './outbound-rules.js';

describe('outbound rules', () => {
  it.each([
    [true, 'Enable'],
    [false, undefined],
    [undefined, undefined],
    ['DetectMessageEnd', 'DetectMessageEnd'],
  ] as const)('machineDetection %p → %p', (input, expected) => expect(machineDetectionMode(input)).toBe(expected));

  it.each([
    ['human', false],
    ['unknown', false],
    [undefined, false],
    ['machine_start', true],
    ['machine_end_beep', true],
    ['fax', true],
  ])('AnsweredBy %p is a machine: %p', (answeredBy, expected) => expect(isMachine(answeredBy)).toBe(expected));

  it.each([
    [undefined, { action: 'hangup' }],
    [{ outbound: { onMachine: 'hangup' as const } }, { action: 'hangup' }],
    [{ outbound: { onMachine: 'voicemail' as const } }, { action: 'hangup' }],
    [{ outbound: { onMachine: 'voicemail' as const, voicemailMessage: 'Call us back' } }, { action: 'voicemail', message: 'Call us back' }],
  ])('settings %p → %p', (settings, expected) => expect(machineAction(settings)).toEqual(expected));

  it.each([
    [1, 1000],
    [2, 500],
    [0.5, 2000],
    [1000, 10],
  ])('%p calls/s → %p ms', (rate, ms) => expect(dispatchIntervalMs(rate)).toBe(ms));
});
