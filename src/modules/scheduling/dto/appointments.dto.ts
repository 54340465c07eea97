import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

// Server-tool inputs are only type-checked here: their meaning (ids, dates, phone numbers) is
// checked in the service, which answers with sentences an agent can say (scheduling.exception.ts).

export class ToolScopeQueryDto {
  @ApiPropertyOptional({ description: 'Optional; must be the tenant of the tool secret' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tenantId?: string;
}

export class AvailabilityQueryDto extends ToolScopeQueryDto {
  @ApiProperty()
  @IsString()
  @MaxLength(64)
  serviceId: string;

  @ApiProperty({ example: '2026-03-03', description: "YYYY-MM-DD in the business's timezone" })
  @IsString()
  @MaxLength(32)
  date: string;

  @ApiPropertyOptional({ description: 'Only this member of staff' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  employeeId?: string;
}

export class CallerAppointmentsQueryDto extends ToolScopeQueryDto {
  @ApiProperty({ example: '+14155550123' })
  @IsString()
  @MaxLength(32)
  customerPhone: string;
}

export class BookAppointmentDto {
  @ApiProperty()
  @IsString()
  @MaxLength(64)
  employeeId: string;

  @ApiProperty()
  @IsString()
  @MaxLength(64)
  serviceId: string;

  @ApiProperty()
  @IsString()
  @MaxLength(300)
  customerName: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(300)
  customerEmail?: string;

  @ApiProperty({ example: '+14155550123' })
  @IsString()
  @MaxLength(32)
  customerPhone: string;

  @ApiProperty({ example: '2026-03-03T10:00:00+00:00', description: "ISO 8601; without an offset it is read in the business's timezone" })
  @IsString()
  @MaxLength(40)
  startTime: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  notes?: string;

  @ApiPropertyOptional({ description: 'system__conversation_id, to link the booking to the call' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  conversationId?: string;
}

export class ListAppointmentsQueryDto {
  @ApiPropertyOptional({ description: 'Admin key only: the tenant' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601()
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  employeeId?: string;

  @ApiPropertyOptional({ enum: ['booked', 'cancelled'] })
  @IsOptional()
  @IsIn(['booked', 'cancelled'])
  status?: 'booked' | 'cancelled';

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class AppointmentResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() employeeId: string;
  @ApiProperty() serviceId: string;
  @ApiPropertyOptional({ nullable: true, type: String }) leadId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) callId: string | null;
  @ApiProperty() customerName: string;
  @ApiPropertyOptional({ nullable: true, type: String }) customerEmail: string | null;
  @ApiProperty() customerPhone: string;
  @ApiProperty() startAt: Date;
  @ApiProperty() endAt: Date;
  @ApiProperty({ enum: ['booked', 'cancelled'] }) status: string;
  @ApiPropertyOptional({ nullable: true, type: String }) notes: string | null;
  @ApiProperty() source: string;
  @ApiProperty() createdAt: Date;
}
