import { Module } from '@nestjs/common';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';

/**
 * What every module that takes Twilio webhooks shares: the signature guard (with its source
 * allowlist), the verified-request context (`twilio-request.ts`), the `@TwilioParams()` decorator,
 * the webhook DTOs and the TwiML builders. Voice, SMS and takeover import this, not each other.
 * The guard's own dependencies (credentials, audit, metrics, config) are global.
 */
@Module({
  providers: [TwilioSignatureGuard],
  exports: [TwilioSignatureGuard],
})
export class TwilioKitModule {}
