import { registerDecorator, type ValidationOptions } from 'class-validator';

const TERM_LISTS = ['positive', 'negative', 'highIntent', 'profanity', 'affirmative'] as const;
const INTENTS = [
  'book_appointment',
  'request_quote',
  'ask_price',
  'request_callback',
  'send_information',
  'reschedule',
  'cancel',
  'complaint',
  'not_interested',
];
const MAX_TERMS = 200;

const isTermList = (v: unknown): boolean =>
  Array.isArray(v) && v.length <= MAX_TERMS && v.every((t) => typeof t === 'string' && t.trim().length > 0 && t.length <= 80);
const isTermRecord = (v: unknown, allowedKeys?: string[]): boolean =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.entries(v).every(([k, list]) => (!allowedKeys || allowedKeys.includes(k)) && /^[a-z0-9_]{1,40}$/.test(k) && isTermList(list));

/** A tenant's keyword vocabulary for lead scoring (leads/domain KeywordSetOverrides). */
export function isKeywordOverrides(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([key, v]) => {
    if (key === 'interests') return isTermRecord(v);
    if (key === 'intents') return isTermRecord(v, INTENTS);
    return (TERM_LISTS as readonly string[]).includes(key) && isTermList(v);
  });
}

export function IsKeywordOverrides(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isKeywordOverrides',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message:
          '$property must be { interests?: { label: [terms] }, intents?: { intent: [terms] }, positive?, negative?, highIntent?, profanity?, affirmative?: [terms] } with lower-case labels and at most 200 terms each',
        ...options,
      },
      validator: { validate: isKeywordOverrides },
    });
}
