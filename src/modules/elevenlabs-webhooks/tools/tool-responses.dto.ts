import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// The server tools' answers (tool-responses.ts), declared for the OpenAPI document.

export class ToolServiceDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() durationMinutes: number;
  @ApiProperty({ nullable: true, type: String, example: '45.00 EUR' }) price: string | null;
  @ApiPropertyOptional() description?: string;
}

export class ToolServicesAnswerDto {
  @ApiProperty({ type: [ToolServiceDto] }) services: ToolServiceDto[];
}

export class ToolNamedRefDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
}

export class ToolEmployeeDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [ToolNamedRefDto] }) services: ToolNamedRefDto[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { mon: '09:00-17:00' } }) workingHours: Record<string, string>;
}

export class ToolEmployeesAnswerDto {
  @ApiProperty() timezone: string;
  @ApiProperty({ type: [ToolEmployeeDto] }) employees: ToolEmployeeDto[];
}

export class ToolServiceRefDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() durationMinutes: number;
}

export class ToolSlotDto {
  @ApiProperty({ example: '10:00' }) time: string;
  @ApiProperty({ example: '2026-03-03T10:00:00+01:00' }) startTime: string;
  @ApiProperty({ type: [ToolNamedRefDto] }) employees: ToolNamedRefDto[];
}

export class ToolAvailabilityAnswerDto {
  @ApiProperty() date: string;
  @ApiProperty() timezone: string;
  @ApiProperty({ type: ToolServiceRefDto }) service: ToolServiceRefDto;
  @ApiProperty({ type: [ToolSlotDto] }) slots: ToolSlotDto[];
  @ApiPropertyOptional({ description: 'Set when there are no free times' }) message?: string;
}

export class ToolAppointmentDto {
  @ApiProperty() id: string;
  @ApiProperty() service: string;
  @ApiProperty() employee: string;
  @ApiProperty({ description: 'A phrase the agent can say' }) when: string;
  @ApiProperty() startTime: string;
  @ApiProperty() durationMinutes: number;
  @ApiProperty() customerName: string;
}

export class ToolAppointmentsAnswerDto {
  @ApiProperty({ type: [ToolAppointmentDto] }) appointments: ToolAppointmentDto[];
  @ApiPropertyOptional() message?: string;
}

export class ToolBookedAnswerDto {
  @ApiProperty({ type: ToolAppointmentDto }) appointment: ToolAppointmentDto;
  @ApiProperty() message: string;
}
