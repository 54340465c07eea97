import { Controller, Get, Header, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { remainingMs } from '../../common/async/deadline.js';
import { TwimlWebhookDocs, WebhookProbeDocs } from '../../common/openapi/webhook-docs.js';
import { Public } from '../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../common/audit/audited.decorator.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { TwilioCallParams, VoiceWebhookParams } from '../twilio-kit/twilio-webhook.dto.js';
import { AllowDegradedTwilioAccess, twilioAccountOf } from '../twilio-kit/twilio-request.js';
import { TwilioSignatureGuard } from '../twilio-kit/twilio-signature.guard.js';
import { InboundCallService } from './inbound-call.service.js';
import { TwilioParams } from '../twilio-kit/twilio-params.decorator.js';
import { VoiceFallbackService } from './voice-fallback.service.js';

const TWIML = 'text/xml; charset=utf-8';

/**
 * Twilio voice webhooks (form POSTs, signed). Each answers TwiML with 200: Twilio needs
 * instructions, not errors, to keep a caller informed. Setup: docs/twilio.md.
 */
@Public()
@SkipAudit()
@Controller('webhooks/twilio')
export class VoiceWebhookController {
  constructor(
    private readonly inbound: InboundCallService,
    private readonly fallbacks: VoiceFallbackService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // TWILIO_WEBHOOK_DEADLINE_MS counts from the request's arrival: the signature guard's lookup included.
  private budget(reply: FastifyReply): number {
    return remainingMs(this.config.twilio.webhookDeadlineMs, reply.elapsedTime);
  }

  /** An incoming call (the number's VoiceUrl); `/elevenlabs` is the path older numbers were set up with. */
  @Post(['voice', 'elevenlabs'])
  @TwimlWebhookDocs("An incoming call (the number's VoiceUrl): answers <Connect><Stream>, or a polite refusal")
  @HttpCode(200)
  @Header('Content-Type', TWIML)
  @UseGuards(TwilioSignatureGuard)
  @AllowDegradedTwilioAccess()
  async voice(
    @TwilioParams(VoiceWebhookParams) params: VoiceWebhookParams,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return (await this.inbound.answer(params, twilioAccountOf(request), String(request.id), this.budget(reply))).twiml;
  }

  /** `<Connect action>`: the media stream ended or never opened. */
  @Post('voice/connect-action')
  @TwimlWebhookDocs('<Connect action>: the media stream ended or never opened')
  @HttpCode(200)
  @Header('Content-Type', TWIML)
  @UseGuards(TwilioSignatureGuard)
  @AllowDegradedTwilioAccess()
  connectAction(
    @TwilioParams(TwilioCallParams) params: TwilioCallParams,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.fallbacks.afterConnect(params.CallSid, twilioAccountOf(request), this.budget(reply));
  }

  /** VoiceFallbackUrl: our primary answer failed; lenient on purpose, it is the caller's last chance. */
  @Post('voice/fallback')
  @TwimlWebhookDocs('VoiceFallbackUrl: our primary answer failed')
  @HttpCode(200)
  @Header('Content-Type', TWIML)
  @UseGuards(TwilioSignatureGuard)
  @AllowDegradedTwilioAccess()
  fallback(@Req() request: FastifyRequest): Promise<string> {
    return this.fallbacks.fallback((request.body ?? {}) as Record<string, unknown>, twilioAccountOf(request));
  }

  /** For setup checks (a browser or curl): says the endpoint is there, nothing else. */
  @Get(['voice', 'elevenlabs', 'voice/connect-action', 'voice/fallback'])
  @WebhookProbeDocs()
  health() {
    return { status: 'ok', accepts: 'POST from Twilio with X-Twilio-Signature' };
  }
}
