import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../../common/auth/auth.decorators.js';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { decodeCursor, encodeCursor } from '../../../common/pagination/cursor.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { InboxEventDetailDto, InboxEventDto, InboxPageDto, ListInboxQueryDto } from './webhook-inbox.dto.js';
import { WebhookInboxRepository } from './webhook-inbox.repository.js';
import { WebhookInboxWorker } from './webhook-inbox.worker.js';
import { ParseUuidPipe } from '../../../common/pipes/parse-uuid.pipe.js';

/** The platform operator's view of stored provider events: what failed, what matched nothing, and re-drive. */
@ApiTags('webhook-inbox')
@ApiBearerAuth()
@AdminOnly()
@Controller('webhooks/inbox')
export class WebhookInboxController {
  constructor(
    private readonly inbox: WebhookInboxRepository,
    private readonly worker: WebhookInboxWorker,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Stored webhook events, newest first, by status (admin)' })
  @ApiOkResponse({ type: InboxPageDto })
  async list(@Query() query: ListInboxQueryDto): Promise<InboxPageDto> {
    const limit = query.limit ?? 50;
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await this.inbox.list({ status: query.status, limit: limit + 1, before: before && { at: new Date(before.t), id: before.id } });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(new Date(last.receivedAt), last.id) : null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One stored event with its payload (admin)' })
  @ApiOkResponse({ type: InboxEventDetailDto })
  async get(@Param('id', ParseUuidPipe) id: string): Promise<InboxEventDetailDto> {
    const event = await this.inbox.get(id);
    if (!event) throw new NotFoundException({ code: 'INBOX_EVENT_NOT_FOUND', message: 'Inbox event not found' });
    return event;
  }

  @Post(':id/retry')
  @HttpCode(202)
  @Audited('webhook_inbox.retry', 'webhook_inbox')
  @ApiOperation({ summary: 'Re-drive a failed or unmatched event: it is processed again with a fresh set of attempts (admin)' })
  @ApiAcceptedResponse({ type: InboxEventDto })
  @ApiConflictResponse({ description: 'INBOX_NOT_RETRYABLE: only failed or unmatched events can be retried' })
  async retry(@Param('id', ParseUuidPipe) id: string): Promise<InboxEventDto> {
    const result = await this.inbox.requeue(id);
    if (result === 'not_found') throw new NotFoundException({ code: 'INBOX_EVENT_NOT_FOUND', message: 'Inbox event not found' });
    if (result === 'not_retryable') throw new AppException('INBOX_NOT_RETRYABLE', 'conflict', 'Only failed or unmatched events can be retried');
    this.worker.kick();
    const { payload: _payload, ...event } = (await this.inbox.get(id))!;
    return event;
  }
}
