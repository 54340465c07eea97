import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Public, TenantAccess } from '../../common/auth/auth.decorators.js';
import { TwimlWebhookDocs, WebhookProbeDocs } from '../../common/openapi/webhook-docs.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { Audited, SkipAudit } from '../../common/audit/audited.decorator.js';
import { twilioAccountOf } from '../twilio-kit/twilio-request.js';
import { TwilioSignatureGuard } from '../twilio-kit/twilio-signature.guard.js';
import { TwilioParams } from '../twilio-kit/twilio-params.decorator.js';
import { DialActionParams } from './dto/dial-action.dto.js';
import { TransferCallDto, TransferStartedDto } from './dto/takeover.dto.js';
import { VoiceTakeoverService } from './voice-takeover.service.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('takeover')
@ApiBearerAuth()
@TenantAccess()
@Controller('calls')
export class CallTransferController {
  constructor(private readonly takeover: VoiceTakeoverService) {}

  @Post(':id/transfer')
  @HttpCode(200)
  @Audited('call.transfer', 'call')
  @ApiOperation({ summary: "Cold-transfer a live call to the tenant's humans (or `to`); when they hang up the caller may be handed back to the AI" })
  @ApiOkResponse({ type: TransferStartedDto })
  @ApiConflictResponse({ description: 'The call is not live, or there is no number to transfer to' })
  @ApiBadGatewayResponse({ description: 'TRANSFER_FAILED: Twilio refused the transfer' })
  transfer(@Param('id', ParseUuidPipe) id: string, @Body() dto: TransferCallDto, @CurrentPrincipal() principal: Principal): Promise<TransferStartedDto> {
    return this.takeover.transfer(tenantIdFor(principal, dto.tenantId), id, dto.to, dto.reason);
  }
}

/** `<Dial action>` of a transfer (signed Twilio webhook): answers TwiML. */
@Public()
@SkipAudit()
@Controller('webhooks/twilio/voice')
export class DialActionController {
  constructor(private readonly takeover: VoiceTakeoverService) {}

  @Post('dial-action')
  @TwimlWebhookDocs('<Dial action> of a transfer to a human')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  @UseGuards(TwilioSignatureGuard)
  dialAction(@TwilioParams(DialActionParams) params: DialActionParams, @Req() request: FastifyRequest): Promise<string> {
    return this.takeover.afterDial(params, twilioAccountOf(request), String(request.id));
  }

  @Get('dial-action')
  @WebhookProbeDocs()
  health() {
    return { status: 'ok', accepts: 'POST from Twilio with X-Twilio-Signature' };
  }
}
