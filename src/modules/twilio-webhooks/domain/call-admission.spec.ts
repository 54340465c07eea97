import { describe, expect, it } from '@jest/globals';
import type { TenantSettings } from '../../tenants/tenant-settings.types.js';
import {
  type AdmissionDecision,
  type AdmissionInput,
  admissionNeeds,
  decideAdmission,
  DEFAULT_MESSAGES,
  mayHandOff,
  refusalMessage,
} from './call-admission.js';

const agent = { agentId: 'agent_1' };
const base: AdmissionInput = { tenantStatus: 'active', timezone: 'UTC', settings: { agent }, now: new Date('2026-03-09T10:00:00Z'), agentId: 'agent_1' };
const at = (settings: TenantSettings, extra: Partial<AdmissionInput> = {}): AdmissionInput => ({ ...base, settings: { agent, ...settings }, ...extra });

describe('decideAdmission', () => {
  it.each<[string, AdmissionInput, AdmissionDecision]>([
    ['an open, configured tenant', base, { accepted: true }],
    ['a suspended tenant', { ...base, tenantStatus: 'suspended' }, { accepted: false, disposition: 'suspended' }],
    ['outside business hours', at({ businessHours: { mon: [{ open: '12:00', close: '13:00' }] } }), { accepted: false, disposition: 'out_of_hours' }],
    ['suspension wins over hours', at({ businessHours: { sun: [] } }, { tenantStatus: 'suspended' }), { accepted: false, disposition: 'suspended' }],
    ['at the concurrent-call limit', at({ quotas: { maxConcurrentCalls: 2 } }, { activeCalls: 2 }), { accepted: false, disposition: 'concurrency_quota' }],
    ['below the concurrent-call limit', at({ quotas: { maxConcurrentCalls: 2 } }, { activeCalls: 1 }), { accepted: true }],
    ['a zero concurrent-call limit', at({ quotas: { maxConcurrentCalls: 0 } }, { activeCalls: 0 }), { accepted: false, disposition: 'concurrency_quota' }],
    ['monthly minutes used up', at({ quotas: { monthlyVoiceMinutes: 10 } }, { monthVoiceSeconds: 600 }), { accepted: false, disposition: 'minutes_quota' }],
    ['monthly minutes nearly used up', at({ quotas: { monthlyVoiceMinutes: 10 } }, { monthVoiceSeconds: 599 }), { accepted: true }],
    ['no agent configured', { ...base, settings: {}, agentId: null }, { accepted: false, disposition: 'agent_not_configured' }],
  ])('should decide for %s', (_name, input, expected) => {
    expect(decideAdmission(input)).toEqual(expected);
  });
});

describe('admissionNeeds', () => {
  it('should only ask for the counts a quota needs', () => {
    expect(admissionNeeds({})).toEqual({ activeCalls: false, monthVoiceSeconds: false });
    expect(admissionNeeds({ quotas: { maxConcurrentCalls: 3, monthlyVoiceMinutes: 0 } })).toEqual({ activeCalls: true, monthVoiceSeconds: true });
  });
});

describe('refusalMessage', () => {
  it('should use the tenant message when set and a default otherwise', () => {
    expect(refusalMessage('out_of_hours', { messages: { outOfHours: 'Closed, sorry!' } })).toBe('Closed, sorry!');
    expect(refusalMessage('out_of_hours', {})).toBe(DEFAULT_MESSAGES.outOfHours);
    expect(refusalMessage('minutes_quota', { messages: { overQuota: 'Busy' } })).toBe('Busy');
    expect(refusalMessage('suspended', { messages: { outOfHours: 'x' } })).toBe(DEFAULT_MESSAGES.notInService);
    expect(mayHandOff('suspended')).toBe(false);
    expect(mayHandOff('concurrency_quota')).toBe(true);
  });
});
