import { IsOptional, IsString, MaxLength } from 'class-validator';
import { TwilioCallParams } from '../../twilio-kit/twilio-webhook.dto.js';

/** `<Dial action>` request: the parent call's fields plus how the dialled leg ended. */
export class DialActionParams extends TwilioCallParams {
  @IsOptional()
  @IsString()
  @MaxLength(20)
  DialCallStatus?: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  CallStatus?: string;
}
