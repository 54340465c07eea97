import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../../common/audit/audited.decorator.js';
import { InitiationAuthGuard } from '../guards/initiation-auth.guard.js';
import { ConversationInitiationService } from './conversation-initiation.service.js';
import { InitiationAnswer, parseInitiationRequest } from './initiation-request.js';

/** ElevenLabs asks for a conversation's dynamic variables before a call it carries itself. */
@ApiExcludeController()
@Public()
@SkipAudit()
@Controller('webhooks/elevenlabs')
export class ConversationInitiationController {
  constructor(private readonly initiation: ConversationInitiationService) {}

  @Post('conversation-initiation')
  @HttpCode(200)
  @UseGuards(InitiationAuthGuard)
  answer(@Body() body: unknown): Promise<InitiationAnswer> {
    return this.initiation.answer(parseInitiationRequest(body));
  }
}
