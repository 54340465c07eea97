import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const MESSAGE_SID = /^(SM|MM|SS)[0-9a-fA-F]{32}$/;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

/** An incoming SMS/WhatsApp message (the number's SmsUrl), docs/protocols.md §3. */
export class IncomingSmsParams {
  @Matches(MESSAGE_SID, { message: 'MessageSid must be a Twilio message SID' })
  MessageSid: string;

  @Matches(ACCOUNT_SID, { message: 'AccountSid must be a Twilio account SID (AC + 32 hex characters)' })
  AccountSid: string;

  @IsString()
  @MaxLength(64)
  From: string;

  @IsString()
  @MaxLength(64)
  To: string;

  @IsOptional()
  @IsString()
  @MaxLength(1600)
  Body?: string;

  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'NumSegments must be a small whole number' })
  NumSegments?: string;
}

/** A delivery status callback (StatusCallback of an outgoing message). */
export class SmsStatusParams {
  @Matches(MESSAGE_SID, { message: 'MessageSid must be a Twilio message SID' })
  MessageSid: string;

  @Matches(ACCOUNT_SID, { message: 'AccountSid must be a Twilio account SID (AC + 32 hex characters)' })
  AccountSid: string;

  @IsString()
  @MaxLength(20)
  MessageStatus: string;

  @IsOptional()
  @Matches(/^\d{1,6}$/, { message: 'ErrorCode must be a number' })
  ErrorCode?: string;
}
