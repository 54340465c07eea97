import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

export class StreamQueryDto {
  @ApiPropertyOptional({ description: 'Admin key only: the tenant whose events to stream' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ description: 'A stream token from POST /api/stream/tokens (for EventSource, which cannot send headers)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  token?: string;

  @ApiPropertyOptional({ description: 'Resume after this event id (the Last-Event-ID header wins when both are sent)' })
  @IsOptional()
  @Matches(/^(0|[1-9][0-9]{0,15})$/, { message: 'lastEventId must be an event id received from this stream' })
  lastEventId?: string;
}
