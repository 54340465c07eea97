import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsOptionalNotNull } from '../../../common/validation/is-optional-not-null.decorator.js';
import type { LeadStatus } from '../lead.entity.js';
import { LEAD_STATUSES } from './list-leads-query.dto.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** null clears a field; an absent field is left as it is. */
export class UpdateLeadDto {
  @ApiPropertyOptional({ nullable: true, maxLength: 200 })
  @Transform(trim)
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @Transform(trim)
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ enum: LEAD_STATUSES })
  @IsOptionalNotNull()
  @IsIn(LEAD_STATUSES)
  status?: LeadStatus;

  @ApiPropertyOptional({ nullable: true, maxLength: 5000 })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsString()
  @MaxLength(5000)
  notes?: string | null;
}
