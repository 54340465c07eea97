import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PhoneCapabilitiesDto } from './create-phone-number.dto.js';
import type { Tenant } from '../tenant.entity.js';
import { TenantSettingsDto } from './tenant-settings.dto.js';

export class TenantResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: string;
  @ApiProperty() timezone: string;
  @ApiProperty({ type: TenantSettingsDto }) settings: TenantSettingsDto;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

/** The only tenant fields that leave the API: never the encrypted credentials or the tool secret hash. */
export function toTenantResponse(t: Tenant): TenantResponseDto {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    status: t.status,
    timezone: t.timezone,
    settings: t.settings,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export class TenantPageDto {
  @ApiProperty({ type: [TenantResponseDto] }) items: TenantResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ApiKeyResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'First characters of the key' }) prefix: string;
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) lastUsedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) revokedAt: Date | null;
}

export class CreatedApiKeyDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The secret key. Shown only in this response: store it now.' }) key: string;
}

export class PhoneNumberResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() tenantId: string;
  @ApiProperty({ example: '+14155550123' }) phoneNumber: string;
  @ApiPropertyOptional({ nullable: true, type: String }) twilioSid: string | null;
  @ApiProperty({ type: PhoneCapabilitiesDto }) capabilities: PhoneCapabilitiesDto;
  @ApiProperty() createdAt: Date;
}
