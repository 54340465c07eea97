import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID } from 'class-validator';

export class UsageQueryDto {
  @ApiPropertyOptional({ description: 'Required with the admin key; a tenant key always reads its own usage' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ description: 'First UTC day, YYYY-MM-DD (default: the first day of this month)', example: '2026-03-01' })
  @IsOptional()
  @IsString()
  from?: string;

  @ApiPropertyOptional({ description: 'Last UTC day, inclusive, YYYY-MM-DD (default: today)', example: '2026-03-31' })
  @IsOptional()
  @IsString()
  to?: string;
}
