import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { AGENT_ID_PATTERN } from './assign-phone-number.dto.js';

export class ResyncWebhooksDto {
  @ApiPropertyOptional({ description: "Only this tenant's numbers (a tenant key always means its own)" })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ description: "Only numbers answered by this agent (the number's own agent, else its tenant's)" })
  @IsOptional()
  @IsString()
  @Matches(AGENT_ID_PATTERN, { message: 'agentId must be 1-100 letters, digits, _ or -' })
  agentId?: string;
}
