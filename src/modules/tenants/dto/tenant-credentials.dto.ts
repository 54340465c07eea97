import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class TwilioCredentialsDto {
  @ApiProperty({ example: 'AC0123456789abcdef0123456789abcdef', description: "The tenant's own Twilio (sub)account SID" })
  @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'accountSid must be a Twilio account SID (AC followed by 32 hex characters)' })
  accountSid: string;

  @ApiProperty({ description: 'Its primary auth token (32 hex characters); stored encrypted, never returned', writeOnly: true })
  @Matches(/^[0-9a-fA-F]{32}$/, { message: 'authToken must be a Twilio auth token (32 hex characters)' })
  authToken: string;
}

export class ElevenLabsCredentialsDto {
  @ApiProperty({ description: "The tenant's own ElevenLabs API key; stored encrypted, never returned", writeOnly: true })
  @IsString()
  @MinLength(16, { message: 'apiKey looks too short for an ElevenLabs API key' })
  @MaxLength(256)
  @Matches(/^\S+$/, { message: 'apiKey must not contain spaces' })
  apiKey: string;
}
