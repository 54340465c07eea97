import type { ApiPropertyOptions } from '@nestjs/swagger';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
}

// Each indicator (database, lifecycle) reports its status plus what it measured.
const indicators: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: { type: 'object', properties: { status: { type: 'string', enum: ['up', 'down'] } }, required: ['status'], additionalProperties: true },
};

/** Terminus' health report, for 200 (ready) and 503 (not ready: `error` names what failed). */
export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'] }) status: string;
  @ApiPropertyOptional(indicators) info?: Record<string, unknown>;
  @ApiPropertyOptional(indicators) error?: Record<string, unknown>;
  @ApiProperty(indicators) details: Record<string, unknown>;
}
