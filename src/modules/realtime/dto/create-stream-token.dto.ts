import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class CreateStreamTokenDto {
  @ApiPropertyOptional({ description: 'Bind the token to one lead: it then opens only /api/stream/conversation/{leadId}' })
  @IsOptional()
  @IsUUID()
  leadId?: string;

  @ApiPropertyOptional({ description: 'Admin key only: the tenant the token is for' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}
