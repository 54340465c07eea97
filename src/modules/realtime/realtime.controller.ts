import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentPrincipal, Public, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { CreateStreamTokenDto } from './dto/create-stream-token.dto.js';
import { StreamQueryDto } from './dto/stream-query.dto.js';
import { StreamTokenResponseDto } from './dto/stream-token-response.dto.js';
import { StreamAuthGuard } from './guards/stream-auth.guard.js';
import { RealtimeStreamsService } from './realtime-streams.service.js';
import { credentialOf, CurrentStreamAccess, type StreamAccess, streamTenantId } from './stream-access.js';
import { StreamTokenService } from './stream-token.service.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

const SSE_DESCRIPTION =
  'text/event-stream. Each event: `id:` (resume with Last-Event-ID), `event:` (its type), `data:` (JSON). ' +
  'Authenticate with Authorization: Bearer <key>, or ?token=<stream token> (EventSource).';

@ApiTags('realtime')
@ApiBearerAuth()
@Controller('stream')
export class RealtimeController {
  constructor(
    private readonly streams: RealtimeStreamsService,
    private readonly tokens: StreamTokenService,
  ) {}

  @Get('events')
  @Public() // authenticated by StreamAuthGuard (API key or stream token)
  @UseGuards(StreamAuthGuard)
  @ApiOperation({ summary: "Live events of the caller's tenant (admin: pass tenantId)", description: SSE_DESCRIPTION })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An endless event stream' })
  async events(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: StreamQueryDto, @CurrentStreamAccess() access: StreamAccess) {
    const tenantId = streamTenantId(access, query.tenantId);
    const lastEventId = this.streams.resumeFrom(request, query.lastEventId);
    await this.streams.open(request, reply, { tenantId, leadId: null, credential: credentialOf(access) }, lastEventId);
  }

  @Get('conversation/:leadId')
  @Public() // authenticated by StreamAuthGuard (API key or stream token)
  @UseGuards(StreamAuthGuard)
  @ApiOperation({ summary: "Live events of one lead's conversation (voice, SMS, takeover)", description: SSE_DESCRIPTION })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An endless event stream' })
  async conversation(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('leadId', ParseUuidPipe) leadId: string,
    @Query() query: StreamQueryDto,
    @CurrentStreamAccess() access: StreamAccess,
  ) {
    const tenantId = streamTenantId(access, query.tenantId);
    const lastEventId = this.streams.resumeFrom(request, query.lastEventId);
    await this.streams.assertLead(tenantId, leadId);
    await this.streams.open(request, reply, { tenantId, leadId, credential: credentialOf(access) }, lastEventId);
  }

  @Post('tokens')
  @TenantAccess()
  @Audited('stream_token.create', 'stream_token')
  @ApiOperation({ summary: 'A short-lived token that opens the stream endpoints (only them) from a browser EventSource' })
  @ApiCreatedResponse({ type: StreamTokenResponseDto })
  async createToken(@Body() dto: CreateStreamTokenDto, @CurrentPrincipal() principal: Principal): Promise<StreamTokenResponseDto> {
    const tenantId = tenantIdFor(principal, dto.tenantId);
    if (dto.leadId) await this.streams.assertLead(tenantId, dto.leadId);
    const { token, expiresAt } = this.tokens.issue(tenantId, dto.leadId ?? null);
    return { token, expiresAt, tenantId, leadId: dto.leadId ?? null };
  }
}
