import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import type { LeadStatus } from '../lead.entity.js';

export const LEAD_STATUSES: readonly LeadStatus[] = ['new', 'contacted', 'qualified', 'unqualified', 'customer'];
export const LEAD_SORTS = ['lastContact', 'score', 'created'] as const;
export type LeadSort = (typeof LEAD_SORTS)[number];

export class ListLeadsQueryDto {
  @ApiPropertyOptional({ description: 'Admin key only: the tenant to list' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ description: 'Part of a name, or digits of the phone number' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: LEAD_STATUSES })
  @IsOptional()
  @IsIn(LEAD_STATUSES)
  status?: LeadStatus;

  @ApiPropertyOptional({ enum: LEAD_SORTS, default: 'lastContact', description: 'Always descending; leads never contacted come last' })
  @IsOptional()
  @IsIn(LEAD_SORTS)
  sort?: LeadSort;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's nextCursor (same sort)" })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  cursor?: string;
}

export class LeadDetailQueryDto {
  @ApiPropertyOptional({ description: 'Admin key only: the tenant of the lead' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ default: 100, maximum: 500, description: 'Most recent timeline entries to include' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  timelineLimit?: number;
}
