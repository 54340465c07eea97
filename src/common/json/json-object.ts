/**
 * Guards for parsed JSON and other values of unknown shape (request parts, provider payloads,
 * errors): narrow with these instead of asserting a shape with `as`.
 */

/** A non-null object that is not an array: a JSON object. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field of `value` as text, or undefined when `value` is no object or the field is not a string. */
export function textField(value: unknown, key: string): string | undefined {
  if (!isJsonObject(value)) return undefined;
  const field = value[key];
  return typeof field === 'string' ? field : undefined;
}
