import { describe, expect, it } from '@jest/globals';
import { compileSourceAllowlist, invalidAllowlistEntries } from './source-allowlist.js';

// Documentation ranges only (RFC 5737, RFC 3849): these are values, nothing connects to them.
describe(compileSourceAllowlist.name, () => {
  it('should let every address through when the list is empty', () => {
    const list = compileSourceAllowlist([]);
    expect(list.enabled).toBe(false);
    expect(list.allows('198.51.100.7')).toBe(true);
    expect(list.allows(undefined)).toBe(true);
  });

  it.each([
    ['a single IPv4 address', ['203.0.113.5'], ['203.0.113.5'], ['203.0.113.6', '198.51.100.5']],
    ['an IPv4 CIDR', ['203.0.113.0/24'], ['203.0.113.0', '203.0.113.255'], ['203.0.114.0', '203.0.112.255']],
    ['an IPv4 netmask', ['203.0.113.0/255.255.255.128'], ['203.0.113.127'], ['203.0.113.128']],
    ['a single IPv6 address', ['2001:db8::5'], ['2001:db8::5', '2001:0db8:0000::0005'], ['2001:db8::6']],
    ['an IPv6 CIDR', ['2001:db8:abcd::/48'], ['2001:db8:abcd:ffff::1'], ['2001:db8:abce::1', '203.0.113.5']],
    ['IPv4-mapped IPv6 peers against an IPv4 range', ['203.0.113.0/24'], ['::ffff:203.0.113.9', '::ffff:cb00:7109'], ['::ffff:198.51.100.9']],
    ['an IPv4 peer against an IPv4-mapped range', ['::ffff:203.0.113.0/120'], ['203.0.113.9'], ['198.51.100.9']],
    ['loopback by name', ['loopback'], ['127.0.0.1', '127.8.9.10', '::1'], ['203.0.113.5']],
    ['several entries', ['203.0.113.5', '2001:db8::/32'], ['203.0.113.5', '2001:db8:1::1'], ['203.0.113.4']],
  ])('should match %s', (_name, entries, allowed, refused) => {
    const list = compileSourceAllowlist(entries);
    expect(list.enabled).toBe(true);
    for (const address of allowed) expect({ address, allowed: list.allows(address) }).toEqual({ address, allowed: true });
    for (const address of refused) expect({ address, allowed: list.allows(address) }).toEqual({ address, allowed: false });
  });

  it.each([undefined, null, '', 'not-an-ip', '203.0.113.5, 203.0.113.6', '203.0.113.5:443', '[2001:db8::5]'])(
    'should refuse the peer %p when a list is set',
    (address) => {
      expect(compileSourceAllowlist(['0.0.0.0/1', '128.0.0.0/1', '::/1', '8000::/1']).allows(address)).toBe(false);
    },
  );

  it('should name the entries it cannot parse, and refuse to compile them', () => {
    expect(invalidAllowlistEntries(['203.0.113.5', '203.0.113.0/33', 'example.com', '2001:db8::/129', '10.0.0.0/8'])).toEqual([
      '203.0.113.0/33',
      'example.com',
      '2001:db8::/129',
    ]);
    expect(invalidAllowlistEntries(['::1', '192.0.2.0/24', 'loopback'])).toEqual([]);
    // "Everything" is not an allowlist: leave the variable empty to turn the check off.
    expect(invalidAllowlistEntries(['0.0.0.0/0', '::/0'])).toEqual(['0.0.0.0/0', '::/0']);
    expect(() => compileSourceAllowlist(['203.0.113.0/33'])).toThrow(/invalid/i);
  });
});
