import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { compileTrust, requestIdFor } from './request-id.js';
import { maskPhone } from './redaction.js';

const req = (remoteAddress: string, id?: string) => ({ headers: id ? { 'x-request-id': id } : {}, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('requestIdFor', () => {
  const trust = compileTrust(['10.0.0.0/8']);

  it('should keep the id a trusted proxy sends', () => {
    expect(requestIdFor(req('10.1.2.3', 'abc-123'), trust)).toBe('abc-123');
  });

  it('should ignore an id from anyone else, or a malformed one', () => {
    expect(requestIdFor(req('203.0.113.5', 'abc-123'), trust)).not.toBe('abc-123');
    expect(requestIdFor(req('10.1.2.3', 'bad id with spaces'), trust)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should return the same id for the same request', () => {
    const r = req('203.0.113.5');
    expect(requestIdFor(r, trust)).toBe(requestIdFor(r, trust));
  });
});

describe('maskPhone', () => {
  it('should keep only the country code start and the last two digits', () => {
    expect(maskPhone('+14155550123')).toBe('+1***23');
    expect(maskPhone(undefined)).toBe('');
  });
});
