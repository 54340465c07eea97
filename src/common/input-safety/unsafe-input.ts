// Pure checks for request input that PostgreSQL or our own code cannot take (docs/security.md):
// NUL (text and jsonb refuse U+0000), lone UTF-16 surrogates (not UTF-8; encodeURIComponent
// throws on them), nesting deeper than MAX_INPUT_DEPTH (class-transformer and class-validator
// recurse and overflow the stack) and, for API callers, numbers JSON turned into Infinity (1e400).
// Both walks are iterative with an explicit stack, so hostile nesting cannot overflow them.

/** Containers (objects, arrays) inside one another; the body itself is level 1. */
export const MAX_INPUT_DEPTH = 32;

export type UnsafeInputKind = 'depth' | 'nul' | 'surrogate' | 'non_finite';

export interface UnsafeInput {
  kind: UnsafeInputKind;
  /** Dotted path as the validation errors name fields (`settings.agent.prompt`, `serviceIds.3`). */
  path: string;
}

const NUL = '\u0000';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

function stringProblem(value: string): 'nul' | 'surrogate' | null {
  if (value.includes(NUL)) return 'nul';
  return LONE_SURROGATE.test(value) ? 'surrogate' : null;
}

/** A key made printable, so the path itself can go into a JSON error body, the log and the audit row. */
function printableKey(key: string): string {
  return stringProblem(key) === null
    ? key
    : JSON.stringify(key)
        .slice(1, -1)
        .replace(/[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

const join = (parent: string, key: string) => (parent ? `${parent}.${printableKey(key)}` : printableKey(key));

interface Frame {
  value: unknown;
  path: string;
  depth: number;
}

/**
 * The first unsafe thing in `input`, or null. `numbers: true` also reports non-finite numbers
 * (callers of our API); provider payloads leave those to the parsers, which ignore them.
 * `strings: false` looks for nesting only (a string problem found first would hide it).
 */
export function findUnsafeInput(input: unknown, options: { maxDepth?: number; numbers?: boolean; strings?: boolean } = {}): UnsafeInput | null {
  const maxDepth = options.maxDepth ?? MAX_INPUT_DEPTH;
  const strings = options.strings ?? true;
  const stack: Frame[] = [{ value: input, path: '', depth: 0 }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value, path, depth } = frame;
    if (typeof value === 'string') {
      if (!strings) continue;
      const kind = stringProblem(value);
      if (kind) return { kind, path };
      continue;
    }
    if (typeof value === 'number') {
      if (options.numbers && !Number.isFinite(value)) return { kind: 'non_finite', path };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth + 1 > maxDepth) return { kind: 'depth', path };
    const entries: ReadonlyArray<readonly [string, unknown]> = Array.isArray(value)
      ? value.map((v: unknown, i) => [String(i), v] as const)
      : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      const keyProblem = strings ? stringProblem(key) : null;
      if (keyProblem) return { kind: keyProblem, path: join(path, key) };
      stack.push({ value: child, path: join(path, key), depth: depth + 1 });
    }
  }
  return null;
}

/** The text with each NUL and lone surrogate replaced by U+FFFD (the Unicode replacement character). */
export function cleanText(value: string): string {
  if (stringProblem(value) === null) return value;
  return value.replaceAll(NUL, '\uFFFD').replace(LONE_SURROGATES, '\uFFFD');
}

type Container = unknown[] | Record<string, unknown>;

/** A string cleaned, or a container copied (and queued, its members still to clean); anything else as it is. */
function cleanShallow(value: unknown, queue: Container[]): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    const copy = [...items];
    queue.push(copy);
    return copy;
  }
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  // defineProperty: a key named __proto__ stays a plain key, never a prototype.
  for (const [k, v] of Object.entries(value)) Object.defineProperty(copy, cleanText(k), { value: v, enumerable: true, writable: true, configurable: true });
  queue.push(copy);
  return copy;
}

/**
 * A copy of `input` with every string (values and keys) cleaned by cleanText; the input is
 * untouched. Call only on input findUnsafeInput found no `depth` problem in.
 */
export function cleanInput(input: unknown): unknown {
  const queue: Container[] = [];
  const root = cleanShallow(input, queue);
  // The copies are the queue's own: their members are replaced in place (an own __proto__ key is a plain property).
  for (let copy = queue.pop(); copy !== undefined; copy = queue.pop()) {
    if (Array.isArray(copy)) for (let i = 0; i < copy.length; i++) copy[i] = cleanShallow(copy[i], queue);
    else for (const k of Object.keys(copy)) copy[k] = cleanShallow(copy[k], queue);
  }
  return root;
}
