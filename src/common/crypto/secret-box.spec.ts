import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe(SecretBox.name, () => {
  const master = randomBytes(32);

  it('should round-trip and never repeat a ciphertext', () => {
    const box = new SecretBox(master);
    const a = box.encrypt('auth-token-123');
    expect(box.decrypt(a)).toBe('auth-token-123');
    expect(box.encrypt('auth-token-123')).not.toBe(a);
    expect(a).not.toContain('auth-token');
  });

  it('should refuse a tampered value, another purpose or another key', () => {
    const sealed = new SecretBox(master).encrypt('secret');
    const parts = sealed.split('.');
    parts[2] = Buffer.from('x' + Buffer.from(parts[2], 'base64url').toString('latin1')).toString('base64url');
    expect(() => new SecretBox(master).decrypt(parts.join('.'))).toThrow();
    expect(() => new SecretBox(master, 'other').decrypt(sealed)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow();
  });
});
