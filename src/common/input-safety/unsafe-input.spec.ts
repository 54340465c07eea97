import { describe, expect, it } from '@jest/globals';
import { isJsonObject } from '../json/json-object.js';
import { cleanInput, findUnsafeInput, MAX_INPUT_DEPTH } from './unsafe-input.js';

const nested = (levels: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = i % 2 ? { a: v } : [v];
  return v;
};

describe('findUnsafeInput', () => {
  it('should accept ordinary input', () => {
    expect(findUnsafeInput({ name: 'Anna 😀', tags: ['a', 1, -0, null], deep: nested(MAX_INPUT_DEPTH - 1) }, { numbers: true })).toBeNull();
  });
  it('should name the path of a NUL in a value or a key', () => {
    expect(findUnsafeInput({ settings: { agent: { prompt: 'a\u0000b' } } })).toEqual({ kind: 'nul', path: 'settings.agent.prompt' });
    expect(findUnsafeInput({ serviceIds: ['ok', 'x\u0000'] })).toEqual({ kind: 'nul', path: 'serviceIds.1' });
    expect(findUnsafeInput({ 'k\u0000': 1 })).toEqual({ kind: 'nul', path: 'k\\u0000' });
  });
  it('should find a lone surrogate but not a pair', () => {
    expect(findUnsafeInput({ email: 'a\uD800@x.test' })).toEqual({ kind: 'surrogate', path: 'email' });
    expect(findUnsafeInput({ email: 'a\uDC00' })).toEqual({ kind: 'surrogate', path: 'email' });
    expect(findUnsafeInput({ email: '\uD83D\uDE00' })).toBeNull();
  });
  it('should refuse nesting deeper than the limit without overflowing on 100k levels', () => {
    expect(findUnsafeInput(nested(MAX_INPUT_DEPTH))).toBeNull();
    expect(findUnsafeInput(nested(MAX_INPUT_DEPTH + 1))?.kind).toBe('depth');
    expect(findUnsafeInput(nested(100_000))?.kind).toBe('depth');
  });
  it('should find deep nesting behind a string problem when asked for nesting only (strings: false)', () => {
    const body = { status: '\uD800', deep: nested(10_000) };
    expect(findUnsafeInput(body)?.kind).toBe('surrogate'); // the first problem hides the nesting
    expect(findUnsafeInput(body, { strings: false })).toMatchObject({ kind: 'depth' });
    expect(findUnsafeInput({ status: '\uD800', 'k\u0000': 1 }, { strings: false })).toBeNull();
  });
  it('should report non-finite numbers only when asked', () => {
    expect(findUnsafeInput({ n: Infinity }, { numbers: true })).toEqual({ kind: 'non_finite', path: 'n' });
    expect(findUnsafeInput({ n: Infinity })).toBeNull();
  });
});

describe('cleanInput', () => {
  it('should replace NUL and lone surrogates with U+FFFD in values and keys, leaving the input untouched', () => {
    const input = { Body: 'hi\u0000there', list: ['\uD800x'], ['k\u0000']: 'v', ok: 'fine 😀' };
    const cleaned = cleanInput(input);
    expect(cleaned).toEqual({ Body: 'hi\uFFFDthere', list: ['\uFFFDx'], 'k\uFFFD': 'v', ok: 'fine 😀' });
    expect(input.Body).toBe('hi\u0000there');
    expect(findUnsafeInput(cleaned)).toBeNull();
  });
  it('should keep a __proto__ key a plain key', () => {
    const cleaned = cleanInput(JSON.parse('{"__proto__": {"polluted": "\\u0000"}}'));
    if (!isJsonObject(cleaned)) throw new Error('cleanInput changed an object into something else');
    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
    expect(Object.keys(cleaned)).toEqual(['__proto__']);
  });
});
