import { InitialSchema1795258568180 } from '../../migrations/1795258568180-InitialSchema.js';
import { CallsLeadsUsage1795258968362 } from '../../migrations/1795258968362-CallsLeadsUsage.js';
import { PhoneProvisioning1795259473882 } from '../../migrations/1795259473882-PhoneProvisioning.js';
import { RealtimeEvents1795259562638 } from '../../migrations/1795259562638-RealtimeEvents.js';
import { ElevenLabsLeadsScheduling1795260019796 } from '../../migrations/1795260019796-ElevenLabsLeadsScheduling.js';
import { UsageAlerts1795260500000 } from '../../migrations/1795260500000-UsageAlerts.js';
import { SmsResendQueue1795261000000 } from '../../migrations/1795261000000-SmsResendQueue.js';
import { TypedCallState1795262000000 } from '../../migrations/1795262000000-TypedCallState.js';

// Every migration in order. A new migration is added here and never edited once merged.
export const MIGRATIONS = [
  InitialSchema1795258568180,
  CallsLeadsUsage1795258968362,
  PhoneProvisioning1795259473882,
  RealtimeEvents1795259562638,
  ElevenLabsLeadsScheduling1795260019796,
  UsageAlerts1795260500000,
  SmsResendQueue1795261000000,
  TypedCallState1795262000000,
];
