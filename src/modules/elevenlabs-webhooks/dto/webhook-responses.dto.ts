import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class InitiationAnswerDto {
  @ApiProperty({ enum: ['conversation_initiation_client_data'] }) type: 'conversation_initiation_client_data';
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    description: 'Always has switchboard_call_id',
  })
  dynamic_variables: Record<string, string | number | boolean>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The tenant's agent overrides (ElevenLabs' conversation_config_override)" })
  conversation_config_override: Record<string, unknown>;
}

export class WebhookReceivedDto {
  @ApiProperty({ enum: [true] }) received: true;
  @ApiPropertyOptional({ description: 'Already received: nothing was done twice' }) duplicate?: boolean;
  @ApiPropertyOptional({ description: 'A type this endpoint does not handle' }) ignored?: boolean;
  @ApiPropertyOptional({ description: 'No call matches the conversation yet; kept for a retry' }) unmatched?: boolean;
}
