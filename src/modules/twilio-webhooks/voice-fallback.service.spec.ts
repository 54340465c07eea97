import { describe, expect, it } from '@jest/globals';
import { parseTwiml } from '../../../test/simulators/twilio/twiml-parser.js';
import type { MetricsService } from '../../common/metrics/metrics.service.js';
import type { AppConfig } from '../../config/app-config.js';
import { BRIDGE_OUTCOMES, bridgeOutcomeOf, type BridgeOutcome } from '../calls/call-state.js';
import type { Call } from '../calls/call.entity.js';
import type { CallsRepository } from '../calls/calls.repository.js';
import type { TenantSettings } from '../tenants/tenant-settings.types.js';
import type { TenantRoutingService } from './tenant-routing.service.js';
import { VoiceFallbackService } from './voice-fallback.service.js';

// The <Connect action> answer for every way the media bridge can end a stream (issue #14: the
// bridge wrote `caller_hangup`, which this answer never named, and it named `refused`, which
// nothing wrote). The table is typed by the union, so a new outcome fails to compile here too.

const HANDOFF = '+14155550100';
const ACCOUNT = { accountSid: `AC${'1'.repeat(32)}`, tenantId: null, degraded: false };

function service(call: Partial<Call>, settings: TenantSettings = { handoffNumber: HANDOFF }) {
  const calls = {
    findForConnectAction: () =>
      Promise.resolve({
        call: { mediaConnectedAt: new Date(), bridgeOutcome: null, transferTo: null, metadata: {}, ...call } as Call,
        tenantSettings: settings,
      }),
  };
  const metrics = { counter: () => ({ inc: () => undefined }) };
  const config = { publicBaseUrl: 'https://switchboard.example.com' } as AppConfig;
  return new VoiceFallbackService(calls as unknown as CallsRepository, {} as TenantRoutingService, metrics as unknown as MetricsService, config);
}
const verbs = async (s: VoiceFallbackService) => parseTwiml(await s.afterConnect(`CA${'2'.repeat(32)}`, ACCOUNT)).verbs.map((v) => v.name);

const EXPECTED: Record<BridgeOutcome, string[]> = {
  completed: ['Hangup'],
  caller_hangup: ['Hangup'],
  transfer: ['Dial'],
  upstream_failed: ['Say', 'Dial'],
};

describe('VoiceFallbackService.afterConnect', () => {
  it.each(BRIDGE_OUTCOMES)('should answer the outcome %s', async (outcome) => {
    expect(await verbs(service({ bridgeOutcome: outcome }))).toEqual(EXPECTED[outcome]);
  });

  it('should dial the number the agent asked to transfer to, through the dial action', async () => {
    const twiml = parseTwiml(await service({ bridgeOutcome: 'transfer', transferTo: '+14155550177' }).afterConnect(`CA${'3'.repeat(32)}`, ACCOUNT));
    expect(twiml.dial).toMatchObject({ number: '+14155550177', action: 'https://switchboard.example.com/api/webhooks/twilio/voice/dial-action' });
  });

  it('should apologise when a transfer has nowhere to go, or the stream never connected', async () => {
    expect(await verbs(service({ bridgeOutcome: 'transfer' }, {}))).toEqual(['Say', 'Hangup']);
    expect(await verbs(service({ mediaConnectedAt: null, bridgeOutcome: 'completed' }))).toEqual(['Say', 'Dial']);
  });

  it('should end the call when no outcome was recorded, or one this version does not know', async () => {
    expect(await verbs(service({ bridgeOutcome: null }))).toEqual(['Hangup']);
    // The column reads an unknown value as none (call.entity.ts).
    expect(bridgeOutcomeOf('refused')).toBeUndefined();
  });
});
