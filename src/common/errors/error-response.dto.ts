import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'settings.agent.agentId', description: 'Dotted path of the offending field (array items by index)' }) field: string;
  @ApiProperty({ type: [String], example: ['agentId must be a string'] }) messages: string[];
}

export class TwilioErrorDto {
  @ApiProperty({ nullable: true, type: Number, example: 400 }) status: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 21402, description: 'Twilio error code (twilio.com/docs/api/errors)' }) code: number | null;
  @ApiProperty({ example: 'VoiceUrl is not valid' }) message: string;
  @ApiProperty({ nullable: true, type: String }) moreInfo: string | null;
}

/** The one error body every endpoint answers with; see docs/api.md for the codes. */
export class ErrorResponseDto {
  @ApiProperty({ example: 404, description: 'The HTTP status, repeated for clients that only see the body' }) statusCode: number;
  @ApiProperty({ example: 'Not Found', description: 'The HTTP reason phrase' }) error: string;
  @ApiProperty({
    example: 'TENANT_NOT_FOUND',
    pattern: '^[A-Z][A-Z0-9_]*$',
    description: 'Machine-readable code (SCREAMING_SNAKE); branch on this, not on message',
  })
  code: string;
  @ApiProperty({ example: 'Tenant not found', description: 'Human-readable and actionable; wording may change' }) message: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Validation failures only: one entry per bad field' }) details?: FieldErrorDto[];
  @ApiPropertyOptional({ type: TwilioErrorDto, description: 'Phone-number provisioning only: what Twilio answered' }) twilio?: TwilioErrorDto;
  @ApiPropertyOptional({
    enum: ['restored', 'failed', 'pending'],
    description: 'Phone-number provisioning only: what was done on Twilio after our own write failed',
  })
  compensation?: 'restored' | 'failed' | 'pending';
  @ApiPropertyOptional({ example: 'req-7f3a', description: '5xx only: the request id, also in the server log, to quote to support' }) errorId?: string;
}
