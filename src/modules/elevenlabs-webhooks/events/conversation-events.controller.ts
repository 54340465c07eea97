import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../../common/audit/audited.decorator.js';
import { ElevenLabsSignatureGuard, ElevenLabsWebhookEndpoint } from '../guards/elevenlabs-signature.guard.js';
import { ConversationEventsService } from './conversation-events.service.js';

/** Live conversation events (started, ended, messages, interruptions, transfers, errors). */
@ApiExcludeController()
@Public()
@SkipAudit()
@Controller('webhooks/elevenlabs')
export class ConversationEventsController {
  constructor(private readonly events: ConversationEventsService) {}

  @Post('conversation-events')
  @HttpCode(200)
  @ElevenLabsWebhookEndpoint('conversationEvents')
  @UseGuards(ElevenLabsSignatureGuard)
  receive(@Body() body: unknown, @Req() request: FastifyRequest & { rawBody?: Buffer }) {
    return this.events.receive(body, request.rawBody);
  }
}
