import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, IsTimeZone, MaxLength, ValidateNested } from 'class-validator';
import { TenantSettingsDto } from './tenant-settings.dto.js';

/** Settings are merged one level deep: `{ settings: { quotas: {...} } }` replaces only the quotas. */
export class UpdateTenantDto {
  @ApiPropertyOptional()
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'America/New_York' })
  @IsOptional() @IsTimeZone()
  timezone?: string;

  @ApiPropertyOptional({ type: TenantSettingsDto })
  @IsOptional() @ValidateNested() @Type(() => TenantSettingsDto)
  settings?: TenantSettingsDto;
}
