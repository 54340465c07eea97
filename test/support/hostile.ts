import fc from 'fast-check';

// Hostile values for the fuzz suite (issue #13): what an attacker, a broken client or a provider's
// bad day sends. Bodies are built as a small tree and written out as JSON text by `toJsonText`, so
// they may hold what JSON.stringify cannot write: numbers past the double range (`1e400`),
// 30-digit integers, duplicate keys, and nesting deep enough to overflow a recursive walker.

/** JSON text written as is. */
export class Raw {
  constructor(readonly text: string) {}
}
/** An object written with the same key more than once, in this order. */
export class DupKeys {
  constructor(readonly entries: Array<[string, unknown]>) {}
}

export type Tree = null | boolean | number | string | Raw | DupKeys | Tree[] | { [key: string]: Tree };

/** JSON text for a tree (strings escaped by JSON.stringify, so lone surrogates go out as \udXXX). */
export function toJsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof DupKeys) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value) ?? 'null';
}

/** Strings PostgreSQL, our code or a log line may choke on. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\u0001\u0002\u001b[31m\u007f',
    '\ud800',
    'x\udfffy',
    '\udbff\udfff',
    '\ufeffBOM',
    '\u202eevil',
    '\u200b',
    '😀'.repeat(3),
    "'; DROP TABLE tenants; --",
    '%00',
    '\\u0000',
    '${jndi:ldap://127.0.0.1/x}',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '__proto__',
    'NaN',
    'Infinity',
    '-1',
    '1e400',
    '9'.repeat(40),
    'true',
    'null',
    '00000000-0000-0000-0000-000000000000',
    'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
    '2026-13-45T25:61:61Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '0000-00-00',
    '9999-12-31T23:59:59.999Z',
    '25:99',
    '+',
    '+0',
    '+1' + '9'.repeat(30),
    'mailto:a@b',
    'a@b',
    'http://127.0.0.1:1/x',
    'Europe/Nowhere',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 8 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 4 }),
  fc.constantFrom(256, 1_001, 4_097, 20_001, 100_001).map((n) => 'x'.repeat(n)),
);

/** Numbers at and past the edges of every column type we have. */
export const hostileNumber: fc.Arbitrary<number | Raw> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    0.5,
    -0.5,
    59.999,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31) - 1,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    1e15,
    1e20,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
  ),
  fc.constantFrom(new Raw('1e400'), new Raw('-1e400'), new Raw('1e-400'), new Raw('123456789012345678901234567890'), new Raw('-0.0'), new Raw('1E+2')),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

const nested = (depth: number, open: string, close: string, inner: string) => new Raw(`${open.repeat(depth)}${inner}${close.repeat(depth)}`);

/** Nesting around the 32-level limit and far past it. */
export const hostileNesting: fc.Arbitrary<Raw> = fc.oneof(
  fc.constantFrom(31, 33, 64, 1_000, 10_000).map((d) => nested(d, '[', ']', '"x"')),
  fc.constantFrom(31, 33, 200, 5_000).map((d) => nested(d, '{"a":', '}', '1')),
);

/** Any hostile value: strings, numbers, wrong types, nesting, prototype keys, mixes of them. */
export const hostileValue: fc.Arbitrary<Tree> = fc.letrec<{ value: Tree }>((tie) => ({
  value: fc.oneof(
    { weight: 5, arbitrary: hostileString },
    { weight: 3, arbitrary: hostileNumber },
    { weight: 2, arbitrary: fc.constantFrom<Tree>(null, true, false, [], {}, [null], { '': null }) },
    { weight: 1, arbitrary: hostileNesting },
    { weight: 1, arbitrary: fc.constantFrom(new Raw('{"__proto__":{"polluted":true}}'), new Raw('{"constructor":{"prototype":{"polluted":true}}}')) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(
        hostileString.filter((k) => k.length < 64),
        tie('value'),
        { maxKeys: 3 },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Tree> },
  ),
})).value;

/**
 * A body built from a valid one: some of its fields (and of the fields the schema declares, and a
 * few it does not) replaced by hostile values or dropped, a key sent twice, or the whole body
 * replaced by something that is not an object at all.
 */
export function hostileBody(seed: Record<string, unknown>, declared: string[]): fc.Arbitrary<Tree | DupKeys> {
  const fields = [...new Set([...Object.keys(seed), ...declared, '__proto__', 'constructor', 'tenantId', 'id', 'extra'])];
  const mutated = fc
    .record({
      replace: fc.dictionary(fc.constantFrom(...fields), hostileValue, { minKeys: 1, maxKeys: 3 }),
      drop: fc.subarray(Object.keys(seed), { maxLength: Math.min(2, Object.keys(seed).length) }),
    })
    .map(({ replace, drop }) => {
      const body: Record<string, Tree> = {};
      for (const [k, v] of Object.entries(seed)) if (!drop.includes(k)) body[k] = v as Tree;
      // Own properties only: `__proto__` as a key is data in JSON, not the prototype.
      for (const [k, v] of Object.entries(replace)) Object.defineProperty(body, k, { value: v, enumerable: true, writable: true, configurable: true });
      return body;
    });
  const duplicated = fc.tuple(fc.constantFrom(...fields), hostileValue).map(([key, value]) => new DupKeys([...Object.entries(seed), [key, value]]));
  const notAnObject = fc.oneof(
    hostileValue.filter((v) => Array.isArray(v) || typeof v !== 'object' || v === null || v instanceof Raw),
    fc.constant<Tree>([seed as Tree]),
  );
  return fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 1, arbitrary: duplicated }, { weight: 1, arbitrary: notAnObject });
}

/** Form fields for a Twilio webhook: some replaced by hostile text, dropped, or sent twice. */
export function hostileForm(seed: Record<string, string>, extra: string[] = []): fc.Arbitrary<Record<string, string | string[]>> {
  const fields = [...new Set([...Object.keys(seed), ...extra, 'Extra'])];
  return fc
    .record({
      replace: fc.dictionary(
        fc.constantFrom(...fields),
        fc.oneof(
          hostileString,
          hostileNumber.map((n) => (n instanceof Raw ? n.text : String(n))),
        ),
        { minKeys: 1, maxKeys: 3 },
      ),
      repeat: fc.subarray(fields, { maxLength: 1 }),
      drop: fc.subarray(Object.keys(seed), { maxLength: Math.min(2, Object.keys(seed).length) }),
    })
    .map(({ replace, repeat, drop }) => {
      const form: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(seed)) if (!drop.includes(k)) form[k] = v;
      for (const [k, v] of Object.entries(replace)) Object.defineProperty(form, k, { value: v, enumerable: true, writable: true, configurable: true });
      for (const k of repeat) form[k] = [String(form[k] ?? 'a'), 'b\u0000'];
      return form;
    });
}

/** A query string with hostile values for the given parameters. */
export function hostileQuery(seed: Record<string, string>, extra: string[] = []): fc.Arbitrary<string> {
  return hostileForm(seed, extra).map((form) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) q.append(k, one);
    return q.toString();
  });
}
