import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { INBOX_STATUSES, type InboxStatus } from './webhook-inbox.entity.js';

export class ListInboxQueryDto {
  @ApiPropertyOptional({ enum: INBOX_STATUSES })
  @IsOptional()
  @IsIn(INBOX_STATUSES)
  status?: InboxStatus;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's nextCursor" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class InboxEventDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'elevenlabs' }) provider: string;
  @ApiProperty({ example: 'post_call_transcription' }) eventType: string;
  @ApiProperty({ description: 'The provider id of the event (the conversation id for ElevenLabs post-call events)' }) externalId: string;
  @ApiProperty({ enum: INBOX_STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty() nextAttemptAt: Date;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ enum: ['webhook', 'reconciliation'] }) source: string;
  @ApiPropertyOptional({ nullable: true, type: String }) tenantId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) callId: string | null;
  @ApiProperty() receivedAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) processedAt: Date | null;
}

export class InboxEventDetailDto extends InboxEventDto {
  @ApiProperty({ description: 'The stored event (audio replaced by a file reference)' }) payload: Record<string, unknown>;
}

export class InboxPageDto {
  @ApiProperty({ type: [InboxEventDto] }) items: InboxEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
