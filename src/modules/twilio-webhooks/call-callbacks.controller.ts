import { Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { remainingMs } from '../../common/async/deadline.js';
import { TwilioCallbackDocs, WebhookProbeDocs } from '../../common/openapi/webhook-docs.js';
import { Public } from '../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../common/audit/audited.decorator.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { CallCallbacksService } from './call-callbacks.service.js';
import { CallStatusParams, RecordingStatusParams, StreamStatusParams } from '../twilio-kit/twilio-webhook.dto.js';
import { twilioAccountOf } from '../twilio-kit/twilio-request.js';
import { TwilioSignatureGuard } from '../twilio-kit/twilio-signature.guard.js';
import { TwilioParams } from '../twilio-kit/twilio-params.decorator.js';

/**
 * Twilio's callbacks about a call in progress (signed form POSTs). They answer 204 (Twilio wants
 * 200/204, no TwiML), and 503 when the database cannot take them within TWILIO_WEBHOOK_DEADLINE_MS.
 */
@Public()
@SkipAudit()
@UseGuards(TwilioSignatureGuard)
@Controller('webhooks/twilio')
export class CallCallbacksController {
  constructor(
    private readonly callbacks: CallCallbacksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private budget(reply: FastifyReply): number {
    return remainingMs(this.config.twilio.webhookDeadlineMs, reply.elapsedTime);
  }

  /** StatusCallback: queued … completed, out of order and repeated. `/status` is the older path. */
  @Post(['voice/status', 'status'])
  @TwilioCallbackDocs('StatusCallback: call progress (queued ... completed)')
  @HttpCode(204)
  async status(
    @TwilioParams(CallStatusParams) params: CallStatusParams,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.callbacks.callStatus(params, twilioAccountOf(request), this.budget(reply));
  }

  /** `<Stream statusCallback>`: stream-started / stream-stopped / stream-error. */
  @Post(['voice/stream-status', 'stream/status'])
  @TwilioCallbackDocs('<Stream statusCallback>: stream-started / stream-stopped / stream-error')
  @HttpCode(204)
  async streamStatus(
    @TwilioParams(StreamStatusParams) params: StreamStatusParams,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.callbacks.streamStatus(params, twilioAccountOf(request), this.budget(reply));
  }

  /** RecordingStatusCallback. */
  @Post('voice/recording')
  @TwilioCallbackDocs('RecordingStatusCallback')
  @HttpCode(204)
  async recording(
    @TwilioParams(RecordingStatusParams) params: RecordingStatusParams,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.callbacks.recording(params, twilioAccountOf(request), this.budget(reply));
  }
}

/** GET on the callback paths, for setup checks; kept apart so the signature guard does not apply. */
@Public()
@Controller('webhooks/twilio')
export class CallCallbacksHealthController {
  @WebhookProbeDocs()
  @Get(['voice/status', 'status', 'voice/stream-status', 'stream/status', 'voice/recording'])
  health() {
    return { status: 'ok', accepts: 'POST from Twilio with X-Twilio-Signature' };
  }
}
