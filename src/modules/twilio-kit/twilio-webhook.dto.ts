import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsPhoneNumber } from '../../common/phone/is-phone-number.decorator.js';
import { TWILIO_CALL_STATUSES } from '../calls/call-status.js';

// Twilio's webhook fields (docs/protocols.md §3). Values arrive as strings; a repeated field arrives as an
// array and fails these string checks, which is what we want for identifiers.

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const DIGITS = /^\d{1,9}$/;

/** Fields every call webhook carries. */
export class TwilioCallParams {
  @Matches(CALL_SID, { message: 'CallSid must be a Twilio call SID (CA + 32 hex characters)' })
  CallSid: string;

  @Matches(ACCOUNT_SID, { message: 'AccountSid must be a Twilio account SID (AC + 32 hex characters)' })
  AccountSid: string;
}

/** The incoming-call webhook (VoiceUrl). */
export class VoiceWebhookParams extends TwilioCallParams {
  // Callers may be withheld ("anonymous") or client:/sip: addresses: only its shape is checked.
  @IsString()
  @MaxLength(64)
  From: string;

  // The number dialled must be one of ours, so it must be a real phone number.
  @IsPhoneNumber({ message: 'To must be the dialled phone number in E.164 format' })
  To: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  Direction?: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  CallStatus?: string;

  /** Outbound calls placed with MachineDetection: human, machine_start, machine_end_beep, fax, unknown... */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  AnsweredBy?: string;
}

/** Call progress (StatusCallback). */
export class CallStatusParams extends TwilioCallParams {
  @IsIn(TWILIO_CALL_STATUSES, { message: `CallStatus must be one of ${TWILIO_CALL_STATUSES.join(', ')}` })
  CallStatus: (typeof TWILIO_CALL_STATUSES)[number];

  @IsOptional()
  @Matches(DIGITS, { message: 'CallDuration must be whole seconds' })
  CallDuration?: string;

  @IsOptional()
  @Matches(/^\d{3}$/, { message: 'SipResponseCode must be a 3-digit SIP code' })
  SipResponseCode?: string;

  @IsOptional()
  @Matches(DIGITS, { message: 'SequenceNumber must be a whole number' })
  SequenceNumber?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  Timestamp?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  CallbackSource?: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  AnsweredBy?: string;
}

/** `<Stream statusCallback>`. */
export class StreamStatusParams extends TwilioCallParams {
  @Matches(/^MZ[0-9a-fA-F]{32}$/, { message: 'StreamSid must be a Twilio stream SID (MZ + 32 hex characters)' })
  StreamSid: string;

  @IsIn(['stream-started', 'stream-stopped', 'stream-error'], { message: 'StreamEvent must be stream-started, stream-stopped or stream-error' })
  StreamEvent: 'stream-started' | 'stream-stopped' | 'stream-error';

  @IsOptional()
  @IsString()
  StreamError?: string;
}

/** RecordingStatusCallback. */
export class RecordingStatusParams extends TwilioCallParams {
  @Matches(/^RE[0-9a-fA-F]{32}$/, { message: 'RecordingSid must be a Twilio recording SID (RE + 32 hex characters)' })
  RecordingSid: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^https:\/\//, { message: 'RecordingUrl must be an https URL' })
  RecordingUrl?: string;

  @IsOptional()
  @IsIn(['in-progress', 'completed', 'absent', 'failed'])
  RecordingStatus?: string;

  @IsOptional()
  @Matches(DIGITS, { message: 'RecordingDuration must be whole seconds' })
  RecordingDuration?: string;
}
