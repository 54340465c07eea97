import { Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TwilioCallbackDocs, WebhookProbeDocs } from '../../common/openapi/webhook-docs.js';
import { Public } from '../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../common/audit/audited.decorator.js';
import { CallCallbacksService } from './call-callbacks.service.js';
import { CallStatusParams, RecordingStatusParams, StreamStatusParams } from './dto/twilio-webhook.dto.js';
import { twilioAccountOf } from './guards/twilio-request.js';
import { TwilioSignatureGuard } from './guards/twilio-signature.guard.js';
import { TwilioParams } from './twilio-params.decorator.js';

/**
 * Twilio's callbacks about a call in progress (signed form POSTs). They answer 204 (Twilio wants
 * 200/204, no TwiML), and 503 when the database cannot take them.
 */
@Public()
@SkipAudit()
@UseGuards(TwilioSignatureGuard)
@Controller('webhooks/twilio')
export class CallCallbacksController {
  constructor(private readonly callbacks: CallCallbacksService) {}

  /** StatusCallback: queued … completed, out of order and repeated. `/status` is the older path. */
  @Post(['voice/status', 'status'])
  @TwilioCallbackDocs('StatusCallback: call progress (queued ... completed)')
  @HttpCode(204)
  async status(@TwilioParams(CallStatusParams) params: CallStatusParams, @Req() request: FastifyRequest): Promise<void> {
    await this.callbacks.callStatus(params, twilioAccountOf(request));
  }

  /** `<Stream statusCallback>`: stream-started / stream-stopped / stream-error. */
  @Post(['voice/stream-status', 'stream/status'])
  @TwilioCallbackDocs('<Stream statusCallback>: stream-started / stream-stopped / stream-error')
  @HttpCode(204)
  async streamStatus(@TwilioParams(StreamStatusParams) params: StreamStatusParams, @Req() request: FastifyRequest): Promise<void> {
    await this.callbacks.streamStatus(params, twilioAccountOf(request));
  }

  /** RecordingStatusCallback. */
  @Post('voice/recording')
  @TwilioCallbackDocs('RecordingStatusCallback')
  @HttpCode(204)
  async recording(@TwilioParams(RecordingStatusParams) params: RecordingStatusParams, @Req() request: FastifyRequest): Promise<void> {
    await this.callbacks.recording(params, twilioAccountOf(request));
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
