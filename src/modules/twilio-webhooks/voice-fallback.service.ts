import { Inject, Injectable, Logger } from '@nestjs/common';
import { withDeadline } from '../../common/async/deadline.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { toE164 } from '../../common/phone/phone-number.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { CallsRepository } from '../calls/calls.repository.js';
import type { TenantSettings } from '../tenants/tenant-settings.types.js';
import { DEFAULT_MESSAGES } from './domain/call-admission.js';
import type { TwilioAccountContext } from '../twilio-kit/twilio-request.js';
import { KnownHandoff, TenantRoutingService } from './tenant-routing.service.js';
import { dialTwiml, hangupTwiml, publicUrl, sayThenHandOffTwiml, TWILIO_VOICE_PATHS } from '../twilio-kit/voice-twiml.js';

// The fallback answers while something is already wrong (often the database): the hand-off
// lookup gets this long before the caller just hears the apology.
const FALLBACK_LOOKUP_TIMEOUT_MS = 1_500;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function safePath(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).pathname : undefined;
  } catch {
    return undefined;
  }
}

/** What happens after `<Connect>` ends, and the last-resort answer when our primary one failed. */
@Injectable()
export class VoiceFallbackService {
  private readonly logger = new Logger(VoiceFallbackService.name);
  private readonly fallbacks;

  constructor(
    private readonly calls: CallsRepository,
    private readonly routing: TenantRoutingService,
    metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.fallbacks = metrics.counter('twilio_voice_fallbacks_total', 'Voice fallback answers by cause', ['cause']);
  }

  /** `<Connect action>`: the stream closed (or never opened); decide how the call goes on. */
  async afterConnect(callSid: string, account: TwilioAccountContext, budgetMs = Infinity): Promise<string> {
    if (account.degraded) return this.apology(null, 'connect_degraded');
    let found;
    try {
      const lookup = this.calls.findForConnectAction(callSid, account.accountSid);
      found = await withDeadline(lookup, budgetMs);
    } catch (err) {
      this.logger.error({ err, callSid }, 'Connect action lookup failed');
      return this.apology(null, 'connect_error');
    }
    if (!found) return this.apology(null, 'connect_unknown_call');
    const { call, tenantSettings } = found;
    // The stream never connected: the caller heard nothing from the agent yet.
    if (!call.mediaConnectedAt) return this.apology(tenantSettings, 'bridge_failed');
    switch (call.bridgeOutcome) {
      case 'upstream_failed':
        return this.apology(tenantSettings, 'bridge_failed');
      case 'transfer': {
        const requested = call.transferTo ? toE164(call.transferTo) : undefined;
        const target = requested ?? tenantSettings.handoffNumber;
        // The dial action may hand the caller back to the AI when the human leg ends (takeover module).
        return target
          ? dialTwiml(target, publicUrl(this.config.publicBaseUrl, TWILIO_VOICE_PATHS.dialAction))
          : this.apology(tenantSettings, 'transfer_without_number');
      }
      case 'completed': // the agent ended the conversation
      case 'caller_hangup': // Twilio asks even when the caller is gone; nothing is left to say
      case null: // the stream ended without an outcome (its instance stopped), or one this version does not know: end the call
        return hangupTwiml();
    }
  }

  /** VoiceFallbackUrl: must answer even with the database down. */
  async fallback(body: Record<string, unknown>, account: TwilioAccountContext): Promise<string> {
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    this.logger.warn(
      { callSid: str(body.CallSid), errorCode: str(body.ErrorCode), errorUrl: safePath(str(body.ErrorUrl)), degraded: account.degraded },
      'Twilio requested the voice fallback: our primary answer failed',
    );
    const to = toE164(str(body.To) ?? '');
    let known: KnownHandoff | undefined = to ? this.routing.lastKnownHandoff(to) : undefined;
    if (!known && to && !account.degraded) {
      const lookup = this.routing
        .resolve(to)
        .then((route) =>
          route
            ? { tenantId: route.tenant.id, handoffNumber: route.tenant.status === 'active' ? (route.tenant.settings?.handoffNumber ?? null) : null }
            : undefined,
        );
      known = await withTimeout(lookup, FALLBACK_LOOKUP_TIMEOUT_MS).catch(() => undefined);
    }
    // A subaccount only ever reaches its own tenant's humans.
    const handoff = known && (!account.tenantId || account.tenantId === known.tenantId) ? known.handoffNumber : null;
    return this.apology({ handoffNumber: handoff ?? undefined }, 'twilio_fallback');
  }

  private apology(settings: TenantSettings | null, cause: string): string {
    this.fallbacks.inc({ cause });
    return sayThenHandOffTwiml(settings?.messages?.unavailable || DEFAULT_MESSAGES.unavailable, settings?.handoffNumber);
  }
}
