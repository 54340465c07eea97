import twilio from 'twilio';

// Every TwiML answer of the voice webhooks, built with the official VoiceResponse
// (https://www.twilio.com/docs/voice/twiml; docs/protocols.md §2.1). Pure functions of their inputs.

const { VoiceResponse } = twilio.twiml;

/** Webhook paths Twilio requests, under PUBLIC_BASE_URL (the global prefix included). */
export const TWILIO_VOICE_PATHS = {
  connectAction: '/api/webhooks/twilio/voice/connect-action',
  streamStatus: '/api/webhooks/twilio/voice/stream-status',
  /** `<Dial action>` of a transfer to a human: when that leg ends the caller may be handed back to the AI. */
  dialAction: '/api/webhooks/twilio/voice/dial-action',
} as const;

/** The media stream's public URL: PUBLIC_BASE_URL with http(s) → ws(s), any path prefix kept. */
export function mediaStreamUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/^http/i, 'ws').replace(/\/+$/, '')}/media-stream`;
}

export function publicUrl(publicBaseUrl: string, path: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${path}`;
}

export interface ConnectStreamOptions {
  publicBaseUrl: string;
  /** `<Parameter>`s, delivered to the bridge as start.customParameters (each name+value < 500 chars). */
  parameters: Record<string, string>;
}

/** Hands the caller to the media bridge; when the stream ends Twilio asks `connect-action` what next. */
export function connectStreamTwiml(opts: ConnectStreamOptions): string {
  const response = new VoiceResponse();
  const connect = response.connect({ action: publicUrl(opts.publicBaseUrl, TWILIO_VOICE_PATHS.connectAction) });
  const stream = connect.stream({ url: mediaStreamUrl(opts.publicBaseUrl), statusCallback: publicUrl(opts.publicBaseUrl, TWILIO_VOICE_PATHS.streamStatus) });
  for (const [name, value] of Object.entries(opts.parameters)) stream.parameter({ name, value });
  return response.toString();
}

/** A sentence, then the tenant's humans when there is a number, else the end of the call. */
export function sayThenHandOffTwiml(message: string, handoffNumber?: string | null): string {
  const response = new VoiceResponse();
  if (message) response.say(message);
  if (handoffNumber) response.dial(handoffNumber);
  else response.hangup();
  return response.toString();
}

export function dialTwiml(number: string, actionUrl?: string): string {
  const response = new VoiceResponse();
  if (actionUrl) response.dial({ action: actionUrl }, number);
  else response.dial(number);
  return response.toString();
}

export function hangupTwiml(): string {
  const response = new VoiceResponse();
  response.hangup();
  return response.toString();
}
