import { describe, expect, it } from '@jest/globals';
import { type BusinessHours, isWithinBusinessHours, localTime } from './business-hours.js';

const weekdays9to17: BusinessHours = {
  mon: [{ open: '09:00', close: '17:00' }],
  tue: [{ open: '09:00', close: '17:00' }],
  wed: [
    { open: '09:00', close: '12:00' },
    { open: '13:00', close: '17:00' },
  ],
  thu: [{ open: '09:00', close: '17:00' }],
  fri: [{ open: '09:00', close: '17:00' }],
};
const nightShift: BusinessHours = { fri: [{ open: '22:00', close: '02:00' }], sat: [] };
const allDay: BusinessHours = { sun: [{ open: '00:00', close: '24:00' }] };

describe('isWithinBusinessHours', () => {
  it.each<[string, BusinessHours | undefined, string, string, boolean]>([
    ['no hours configured = always open', undefined, 'UTC', '2026-03-08T03:00:00Z', true],
    ['empty hours = always open', {}, 'UTC', '2026-03-08T03:00:00Z', true],
    ['Monday 09:00 exactly (open is inclusive)', weekdays9to17, 'UTC', '2026-03-09T09:00:00Z', true],
    ['Monday 16:59', weekdays9to17, 'UTC', '2026-03-09T16:59:00Z', true],
    ['Monday 17:00 (close is exclusive)', weekdays9to17, 'UTC', '2026-03-09T17:00:00Z', false],
    ['Monday 08:59', weekdays9to17, 'UTC', '2026-03-09T08:59:00Z', false],
    ['Wednesday lunch break', weekdays9to17, 'UTC', '2026-03-11T12:30:00Z', false],
    ['Wednesday afternoon', weekdays9to17, 'UTC', '2026-03-11T13:00:00Z', true],
    ['Saturday: no entry = closed', weekdays9to17, 'UTC', '2026-03-14T10:00:00Z', false],
    // Tenant timezone: 14:30Z on a Monday is 09:30 in New York (EST, UTC-5) before the DST switch...
    ['New York, winter, 09:30 local', weekdays9to17, 'America/New_York', '2026-03-02T14:30:00Z', true],
    ['New York, winter, 08:30 local', weekdays9to17, 'America/New_York', '2026-03-02T13:30:00Z', false],
    // ...and 13:30Z is 09:30 EDT (UTC-4) the Monday after clocks went forward on 8 March 2026.
    ['New York, after spring-forward, 09:30 EDT', weekdays9to17, 'America/New_York', '2026-03-09T13:30:00Z', true],
    ['New York, after spring-forward, 08:30 EDT', weekdays9to17, 'America/New_York', '2026-03-09T12:30:00Z', false],
    // Autumn: Europe falls back on 25 October 2026; 16:30Z is 17:30 CET = closed, 15:30Z is 16:30 CET = open.
    ['Berlin, after fall-back, 17:30 CET', { mon: [{ open: '09:00', close: '17:00' }] }, 'Europe/Berlin', '2026-10-26T16:30:00Z', false],
    ['Berlin, after fall-back, 16:30 CET', { mon: [{ open: '09:00', close: '17:00' }] }, 'Europe/Berlin', '2026-10-26T15:30:00Z', true],
    ['Berlin, before fall-back, 16:30Z = 18:30 CEST', { fri: [{ open: '09:00', close: '17:00' }] }, 'Europe/Berlin', '2026-10-23T16:30:00Z', false],
    // Overnight interval (Friday 22:00–02:00) opens Friday and carries over into Saturday.
    ['overnight, Friday 23:00', nightShift, 'UTC', '2026-03-13T23:00:00Z', true],
    ['overnight, Saturday 01:59 (carried over)', nightShift, 'UTC', '2026-03-14T01:59:00Z', true],
    ['overnight, Saturday 02:00', nightShift, 'UTC', '2026-03-14T02:00:00Z', false],
    ['overnight, Friday 21:59', nightShift, 'UTC', '2026-03-13T21:59:00Z', false],
    ['overnight, Thursday 01:00 (no Wednesday night shift)', nightShift, 'UTC', '2026-03-12T01:00:00Z', false],
    // Overnight across the DST gap: New York Saturday 8 March 2026 02:00 does not exist; 07:30Z is 03:30 EDT.
    ['overnight across spring-forward, 03:30 EDT', { sat: [{ open: '22:00', close: '04:00' }] }, 'America/New_York', '2026-03-08T07:30:00Z', true],
    ['overnight across spring-forward, 04:30 EDT', { sat: [{ open: '22:00', close: '04:00' }] }, 'America/New_York', '2026-03-08T08:30:00Z', false],
    ['whole day 00:00–24:00, 23:59', allDay, 'UTC', '2026-03-08T23:59:00Z', true],
    ['whole day 00:00–24:00, Monday', allDay, 'UTC', '2026-03-09T00:00:00Z', false],
    ['zero-length interval = closed', { mon: [{ open: '09:00', close: '09:00' }] }, 'UTC', '2026-03-09T09:00:00Z', false],
    ['unknown timezone falls back to UTC', weekdays9to17, 'Mars/Olympus_Mons', '2026-03-09T10:00:00Z', true],
    ['Asia/Kolkata (+05:30), 09:00 local = 03:30Z', weekdays9to17, 'Asia/Kolkata', '2026-03-09T03:30:00Z', true],
  ])('%s', (_name, hours, timezone, at, expected) => {
    expect(isWithinBusinessHours(hours, timezone, new Date(at))).toBe(expected);
  });
});

describe('localTime', () => {
  it('should give weekday and minutes in the zone', () => {
    expect(localTime(new Date('2026-03-09T00:15:00Z'), 'America/Los_Angeles')).toEqual({ weekday: 0, minutes: 17 * 60 + 15 });
  });
});
