import { SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who sent a Twilio webhook, established by TwilioSignatureGuard from the signed AccountSid. */
export interface TwilioAccountContext {
  accountSid: string | null;
  /** The tenant owning the subaccount that signed the request; null for the platform account. */
  tenantId: string | null;
  /**
   * True when the subaccount's token could not be looked up (database down) on a route that opted
   * in, and the signature verified with a token held in memory instead (the platform's, or the
   * subaccount's last confirmed one): genuine Twilio, but answer without touching the database.
   */
  degraded: boolean;
}

/** The request's Twilio account as the signature guard set it (the platform account when unset). */
export function twilioAccountOf(request: FastifyRequest): TwilioAccountContext {
  return request.twilioAccount ?? { accountSid: null, tenantId: null, degraded: false };
}

declare module 'fastify' {
  interface FastifyRequest {
    twilioAccount?: TwilioAccountContext;
  }
}

export const TWILIO_DEGRADED_ACCESS = 'twilio-degraded-access';

/**
 * For routes that must still answer a caller when the database is down (voice, fallback): a
 * request whose signature verifies without the database is let through marked `degraded`, and the
 * handler answers an apology (with the hand-off number remembered for that tenant, if any) instead
 * of Twilio's application-error message. An unverifiable request is refused (403) as anywhere.
 */
export const AllowDegradedTwilioAccess = () => SetMetadata(TWILIO_DEGRADED_ACCESS, true);
