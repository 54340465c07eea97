// What never reaches the logs. Header names are lower-case (Node lower-cases them). Field names
// cover our own log objects and anything a provider sends that we might log by mistake.
const SECRET_HEADERS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-twilio-signature',
  'elevenlabs-signature',
  'xi-api-key',
  'x-tool-secret',
  'x-api-key',
  'x-switchboard-tool-secret',
  'x-switchboard-webhook-secret',
];
const SECRET_FIELDS = ['token', 'secret', 'apiKey', 'authToken', 'password', 'key', 'signature', 'sessionToken'];
const PHONE_FIELDS = [
  'phoneNumber',
  'phone',
  'from',
  'to',
  'From',
  'To',
  'Caller',
  'Called',
  'callerId',
  'caller_id',
  'called_number',
  'e164',
  'handoffNumber',
];
const TEXT_FIELDS = ['transcript', 'body', 'Body', 'text', 'message'];

export const REDACT_PATHS: string[] = [
  ...SECRET_HEADERS.map((h) => `req.headers["${h}"]`),
  ...SECRET_HEADERS.map((h) => `headers["${h}"]`),
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS,
  ...PHONE_FIELDS.map((f) => `*.${f}`),
  ...PHONE_FIELDS,
  ...TEXT_FIELDS.map((f) => `*.${f}`),
];

/** For log lines that must mention a number: keeps the country code and the last two digits. */
export function maskPhone(value: string | undefined | null): string {
  if (!value) return '';
  const digits = value.replace(/[^\d+]/g, '');
  if (digits.length <= 4) return '***';
  return `${digits.slice(0, 2)}***${digits.slice(-2)}`;
}
