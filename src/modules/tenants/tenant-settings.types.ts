import type { KeywordSetOverrides } from '../leads/domain/index.js';

export type RoutingMode = 'bridge' | 'register-call';
// Opening hours are shared domain (common/domain/business-hours.ts): voice, SMS and outbound calls use them.
import type { BusinessHours } from '../../common/domain/business-hours.js';
export type { OpeningInterval, Weekday } from '../../common/domain/business-hours.js';

export interface TenantSettings {
  agent?: {
    agentId?: string;
    firstMessage?: string;
    prompt?: string;
    language?: string;
    voiceId?: string;
    /** The agent has authentication disabled: the bridge connects without a signed URL (no API key needed). */
    publicAgent?: boolean;
  };
  routingMode?: RoutingMode;
  /** E.164 number of the humans a caller is handed to. */
  handoffNumber?: string;
  /** Hand the caller back to the AI when a transfer's human leg ends (default true). */
  handBack?: boolean;
  /** Absent = always open. A weekday without entries is closed all day. */
  businessHours?: BusinessHours;
  quotas?: {
    maxConcurrentCalls?: number;
    monthlyVoiceMinutes?: number;
    monthlySmsSegments?: number;
    monthlyOutboundCalls?: number;
  };
  /** Outbound calls: what happens when answering-machine detection says a machine answered. */
  outbound?: {
    onMachine?: 'hangup' | 'voicemail';
    /** Said by the agent as its first message when leaving a voicemail. */
    voicemailMessage?: string;
  };
  messages?: {
    outOfHours?: string;
    overQuota?: string;
    unavailable?: string;
    smsHelp?: string;
    smsFallback?: string;
  };
  /** Lead-scoring vocabulary merged over the defaults (leads/domain mergeKeywordSets). */
  keywords?: KeywordSetOverrides;
}
