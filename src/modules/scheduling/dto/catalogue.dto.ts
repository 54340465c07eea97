import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsOptionalNotNull } from '../../../common/validation/is-optional-not-null.decorator.js';
import type { WeeklyHours } from '../domain/scheduling.types.js';

/** services.price_cents is an integer column. */
const MAX_PRICE_CENTS = 2_147_483_647;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const HOURS_EXAMPLE = {
  mon: [{ open: '09:00', close: '17:00' }],
  tue: [
    { open: '09:00', close: '12:30' },
    { open: '13:30', close: '17:00' },
  ],
};

export class CreateServiceDto {
  @ApiProperty({ example: 'Haircut' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiPropertyOptional({ example: 'Wash, cut and blow-dry' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiProperty({ example: 30, description: 'Minutes, a multiple of 5' })
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(1440)
  durationMinutes: number;

  @ApiPropertyOptional({ example: 3500, description: 'Price in cents (minor units)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  priceCents?: number;

  @ApiPropertyOptional({ example: 'GBP' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as GBP' })
  currency?: string;
}

export class UpdateServiceDto {
  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name?: string;

  @ApiPropertyOptional({ nullable: true })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(1440)
  durationMinutes?: number;

  @ApiPropertyOptional({ nullable: true })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  priceCents?: number | null;

  @ApiPropertyOptional({ nullable: true })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as GBP' })
  currency?: string | null;

  @ApiPropertyOptional({ description: 'false: no longer offered (existing appointments stay)' })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class CreateEmployeeDto {
  @ApiProperty({ example: 'Anna' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiProperty({ example: HOURS_EXAMPLE, description: "Weekly hours in the tenant's timezone; a missing day is a day off" })
  @IsObject()
  workingHours: WeeklyHours;

  @ApiProperty({ type: [String], description: 'Ids of the services this person performs' })
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  serviceIds: string[];
}

export class UpdateEmployeeDto {
  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name?: string;

  @ApiPropertyOptional({ example: HOURS_EXAMPLE })
  @IsOptionalNotNull()
  @IsObject()
  workingHours?: WeeklyHours;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the list' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  serviceIds?: string[];

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class ServiceResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional({ nullable: true, type: String }) description: string | null;
  @ApiProperty() durationMinutes: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) priceCents: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) currency: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty() createdAt: Date;
}

export class EmployeeResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: HOURS_EXAMPLE }) workingHours: WeeklyHours;
  @ApiProperty({ type: [String] }) serviceIds: string[];
  @ApiProperty() active: boolean;
  @ApiProperty() createdAt: Date;
}
