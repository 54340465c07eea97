import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { WebhookReceivedDto } from '../dto/webhook-responses.dto.js';
import { ElevenLabsWebhookDocs } from '../../../common/openapi/webhook-docs.js';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../../common/audit/audited.decorator.js';
import { ElevenLabsSignatureGuard, ElevenLabsWebhookEndpoint } from '../guards/elevenlabs-signature.guard.js';
import { ConversationEventsService } from './conversation-events.service.js';

/** Live conversation events (started, ended, messages, interruptions, transfers, errors). */
@Public()
@SkipAudit()
@Controller('webhooks/elevenlabs')
export class ConversationEventsController {
  constructor(private readonly events: ConversationEventsService) {}

  @Post('conversation-events')
  @HttpCode(200)
  @ElevenLabsWebhookDocs('ElevenLabs live conversation events')
  @ApiOkResponse({ type: WebhookReceivedDto })
  @ElevenLabsWebhookEndpoint('conversationEvents')
  @UseGuards(ElevenLabsSignatureGuard)
  receive(@Body() body: unknown, @Req() request: FastifyRequest & { rawBody?: Buffer }) {
    return this.events.receive(body, request.rawBody);
  }
}
