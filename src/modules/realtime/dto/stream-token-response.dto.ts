import { ApiProperty } from '@nestjs/swagger';

export class StreamTokenResponseDto {
  @ApiProperty({ description: 'Pass as ?token= to the stream endpoints; valid for opening a stream until expiresAt' })
  token: string;

  @ApiProperty()
  expiresAt: Date;

  @ApiProperty()
  tenantId: string;

  @ApiProperty({ nullable: true, type: String })
  leadId: string | null;
}
