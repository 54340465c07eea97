/**
 * A field of parsed JSON as text: strings as they are, numbers and booleans written out, anything
 * else (objects, arrays, null, missing) as ''. For provider payloads whose fields we expect to be
 * text but cannot trust: `String(value)` would turn an object into "[object Object]".
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}
