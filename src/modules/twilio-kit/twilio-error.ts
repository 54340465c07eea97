import type { TwilioCallError } from '../calls/call-state.js';

// What Twilio's REST API said when it refused a request. The `twilio` library throws a
// RestException (code, status, message, moreInfo); a network failure throws a plain Error.

const field = (err: object, key: string): unknown => Reflect.get(err, key);

/** Twilio's error code (e.g. 21215), when the error is Twilio's. */
export function twilioErrorCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = field(err, 'code');
  return typeof code === 'number' ? code : undefined;
}

/** The error as we store it on a call and publish it: Twilio's fields, or the message alone. */
export function twilioErrorOf(err: unknown): TwilioCallError {
  if (typeof err !== 'object' || err === null) return { code: null, status: null, message: String(err).slice(0, 300), moreInfo: null };
  const message = field(err, 'message');
  const status = field(err, 'status');
  const moreInfo = field(err, 'moreInfo');
  return {
    code: twilioErrorCode(err) ?? null,
    status: typeof status === 'number' ? status : null,
    message: (typeof message === 'string' && message ? message : 'unknown error').slice(0, 300),
    moreInfo: typeof moreInfo === 'string' ? moreInfo : null,
  };
}
