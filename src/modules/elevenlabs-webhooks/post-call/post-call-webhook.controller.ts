import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOkResponse } from '@nestjs/swagger';
import { WebhookReceivedDto } from '../dto/webhook-responses.dto.js';
import { ElevenLabsWebhookDocs } from '../../../common/openapi/webhook-docs.js';
import { Public } from '../../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../../common/audit/audited.decorator.js';
import { ElevenLabsSignatureGuard, ElevenLabsWebhookEndpoint } from '../guards/elevenlabs-signature.guard.js';
import { POST_CALL_BODY_LIMIT } from './post-call-body-limit.js';
import { IntakeResult, PostCallIntakeService } from './post-call-intake.service.js';

/** The workspace post-call webhook: post_call_transcription, post_call_audio, call_initiation_failure. */
@Public()
@SkipAudit()
@Controller('webhooks/elevenlabs')
export class PostCallWebhookController {
  constructor(private readonly intake: PostCallIntakeService) {}

  @Post('post-call')
  @HttpCode(200)
  @ElevenLabsWebhookDocs('ElevenLabs post-call webhook: post_call_transcription, post_call_audio, call_initiation_failure')
  @ApiOkResponse({ type: WebhookReceivedDto })
  @RouteConfig({ [POST_CALL_BODY_LIMIT]: true })
  @ElevenLabsWebhookEndpoint('postCall')
  @UseGuards(ElevenLabsSignatureGuard)
  receive(@Body() body: unknown): Promise<IntakeResult> {
    return this.intake.receive(body);
  }
}
