import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { isForeignKeyViolation, isUniqueViolation, pgErrorOf } from './pg-errors.js';

const failed = (driverError: Record<string, unknown>) => new QueryFailedError('INSERT ...', [], Object.assign(new Error('failed'), driverError));

describe('pg errors', () => {
  it('should recognise a unique violation, of a given constraint or any', () => {
    const err = failed({ code: '23505', constraint: 'UQ_tenants_slug' });
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, 'UQ_tenants_slug')).toBe(true);
    expect(isUniqueViolation(err, 'UQ_phone_numbers_e164')).toBe(false);
    expect(isForeignKeyViolation(err)).toBe(false);
  });
  it('should recognise a foreign-key violation', () => {
    expect(isForeignKeyViolation(failed({ code: '23503' }))).toBe(true);
  });
  it('should say nothing about errors that are not failed queries', () => {
    const lookalike = Object.assign(new Error('x'), { driverError: { code: '23505' } });
    expect(pgErrorOf(lookalike)).toBeUndefined();
    expect(isUniqueViolation(lookalike)).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });
});
