import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InitiationAnswerDto } from '../dto/webhook-responses.dto.js';
import { Public } from '../../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../../common/audit/audited.decorator.js';
import { InitiationAuthGuard } from '../guards/initiation-auth.guard.js';
import { ConversationInitiationService } from './conversation-initiation.service.js';
import { InitiationAnswer, parseInitiationRequest } from './initiation-request.js';

/** ElevenLabs asks for a conversation's dynamic variables before a call it carries itself. */
@ApiTags('webhooks')
@Public()
@SkipAudit()
@Controller('webhooks/elevenlabs')
export class ConversationInitiationController {
  constructor(private readonly initiation: ConversationInitiationService) {}

  @Post('conversation-initiation')
  @HttpCode(200)
  @ApiOperation({ summary: 'ElevenLabs conversation-initiation: dynamic variables and overrides for a call it carries' })
  @ApiConsumes('application/json')
  @ApiHeader({ name: 'elevenlabs-signature', required: false, description: 'Or the shared-secret header (docs/elevenlabs.md)' })
  @ApiOkResponse({ type: InitiationAnswerDto })
  @UseGuards(InitiationAuthGuard)
  answer(@Body() body: unknown): Promise<InitiationAnswer> {
    return this.initiation.answer(parseInitiationRequest(body));
  }
}
