import type { TenantSettings } from '../../tenants/tenant-settings.types.js';
import { isWithinBusinessHours } from '../../../common/domain/business-hours.js';

// Whether an inbound call reaches the AI agent, and if not why. Pure: the caller passes the
// clock and the counts it looked up (undefined = not looked up because there is no quota).

export type CallDisposition = 'unknown_number' | 'suspended' | 'out_of_hours' | 'concurrency_quota' | 'minutes_quota' | 'agent_not_configured';

export type AdmissionDecision = { accepted: true } | { accepted: false; disposition: CallDisposition };

export interface AdmissionInput {
  tenantStatus: 'active' | 'suspended';
  timezone: string;
  settings: TenantSettings;
  now: Date;
  /** The tenant's other live calls. */
  activeCalls?: number;
  /** Voice seconds used this UTC month. */
  monthVoiceSeconds?: number;
  /** The ElevenLabs agent for this call (the number's own, else the tenant's). */
  agentId: string | null | undefined;
}

export function decideAdmission(input: AdmissionInput): AdmissionDecision {
  const { settings } = input;
  if (input.tenantStatus !== 'active') return { accepted: false, disposition: 'suspended' };
  if (!isWithinBusinessHours(settings.businessHours, input.timezone, input.now)) return { accepted: false, disposition: 'out_of_hours' };
  const quotas = settings.quotas ?? {};
  if (quotas.maxConcurrentCalls !== undefined && input.activeCalls !== undefined && input.activeCalls >= quotas.maxConcurrentCalls) {
    return { accepted: false, disposition: 'concurrency_quota' };
  }
  if (quotas.monthlyVoiceMinutes !== undefined && input.monthVoiceSeconds !== undefined && input.monthVoiceSeconds >= quotas.monthlyVoiceMinutes * 60) {
    return { accepted: false, disposition: 'minutes_quota' };
  }
  if (!input.agentId) return { accepted: false, disposition: 'agent_not_configured' };
  return { accepted: true };
}

/** Which lookups decideAdmission needs for these settings (skipped work is skipped queries). */
export function admissionNeeds(settings: TenantSettings): { activeCalls: boolean; monthVoiceSeconds: boolean } {
  return { activeCalls: settings.quotas?.maxConcurrentCalls !== undefined, monthVoiceSeconds: settings.quotas?.monthlyVoiceMinutes !== undefined };
}

export const DEFAULT_MESSAGES = {
  notInService: 'We are sorry, the number you have called is not in service. Goodbye.',
  outOfHours: 'Thank you for calling. We are closed right now. Please call again during our opening hours.',
  overQuota: 'Thank you for calling. We cannot take your call right now. Please try again later.',
  unavailable: 'We are sorry, our assistant is not available right now.',
  handoff: 'Please hold while we connect you.',
} as const;

/** What a refused caller hears: the tenant's own words where it has set them. */
export function refusalMessage(disposition: CallDisposition, settings: TenantSettings | null | undefined): string {
  const messages = settings?.messages ?? {};
  switch (disposition) {
    case 'unknown_number':
    case 'suspended':
      return DEFAULT_MESSAGES.notInService;
    case 'out_of_hours':
      return messages.outOfHours || DEFAULT_MESSAGES.outOfHours;
    case 'concurrency_quota':
    case 'minutes_quota':
      return messages.overQuota || DEFAULT_MESSAGES.overQuota;
    case 'agent_not_configured':
      return messages.unavailable || DEFAULT_MESSAGES.unavailable;
  }
}

/** Not-in-service refusals hang up; the others are polite diversions to the tenant's humans. */
export function mayHandOff(disposition: CallDisposition): boolean {
  return disposition !== 'unknown_number' && disposition !== 'suspended';
}
