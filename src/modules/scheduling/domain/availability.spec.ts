import { describe, expect, it } from '@jest/globals';
import { checkBooking, describeWorkingHoursProblem, freeSlots, slotStarts } from './availability.js';
import type { WeeklyHours } from './scheduling.types.js';
import { describeWhen, formatLocalIso, fromLocal, isCalendarDate, offsetMinutes, parseDateTime, toLocal } from './zoned-time.js';

const WEEKDAYS_9_TO_5: WeeklyHours = {
  mon: [{ open: '09:00', close: '17:00' }],
  tue: [
    { open: '09:00', close: '12:00' },
    { open: '13:00', close: '17:00' },
  ],
};
// Tuesday 3 March 2026 (London is on GMT, UTC+0).
const TUE = '2026-03-03';
const MONDAY_NIGHT = new Date('2026-03-02T20:00:00Z');

describe('zoned time', () => {
  it.each([
    ['Europe/London', '2026-03-03', 9 * 60, '2026-03-03T09:00:00.000Z'],
    ['Europe/London', '2026-07-01', 9 * 60, '2026-07-01T08:00:00.000Z'],
    ['America/New_York', '2026-01-15', 0, '2026-01-15T05:00:00.000Z'],
    ['Asia/Kathmandu', '2026-01-15', 10 * 60, '2026-01-15T04:15:00.000Z'],
    ['Australia/Sydney', '2026-01-15', 9 * 60, '2026-01-14T22:00:00.000Z'],
  ])('should place %s %s %i min at %s', (tz, date, minutes, iso) => {
    expect(fromLocal(date, minutes, tz)?.toISOString()).toBe(iso);
    expect(toLocal(new Date(iso), tz)).toEqual({ date, minutes });
  });

  it('should report the hour skipped when clocks go forward as not existing', () => {
    expect(fromLocal('2026-03-29', 60 + 30, 'Europe/London')).toBeUndefined();
    expect(fromLocal('2026-03-08', 2 * 60 + 30, 'America/New_York')).toBeUndefined();
  });

  it('should take the first of a repeated hour when clocks go back', () => {
    expect(fromLocal('2026-10-25', 60 + 30, 'Europe/London')?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('should know offsets and calendar dates', () => {
    expect(offsetMinutes(new Date('2026-07-01T12:00:00Z'), 'Europe/Paris')).toBe(120);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-3-3')).toBe(false);
  });
});

describe('freeSlots', () => {
  const staff = [
    { id: 'a', name: 'Anna', workingHours: WEEKDAYS_9_TO_5, busy: [{ start: new Date('2026-03-03T09:30:00Z'), end: new Date('2026-03-03T10:15:00Z') }] },
    { id: 'b', name: 'Ben', workingHours: { tue: [{ open: '10:00', close: '11:00' }] }, busy: [] },
  ];

  it('should offer starts that fit the whole service, around bookings and breaks, naming who is free', () => {
    const slots = freeSlots({ date: TUE, timeZone: 'Europe/London', durationMinutes: 30, now: MONDAY_NIGHT, staff });
    const times = slots.map((s) => s.time);
    expect(times.slice(0, 6)).toEqual(['09:00', '10:00', '10:15', '10:30', '10:45', '11:00']);
    expect(times).not.toContain('09:15'); // would run into Anna's 09:30 booking
    expect(times).not.toContain('11:45'); // would run into her lunch break
    expect(times).toContain('13:00');
    expect(times.at(-1)).toBe('16:30');
    expect(slots.find((s) => s.time === '10:00')?.employees).toEqual([{ id: 'b', name: 'Ben' }]);
    expect(slots.find((s) => s.time === '10:30')?.employees.map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('should offer nothing in the past or on a day off', () => {
    expect(freeSlots({ date: TUE, timeZone: 'Europe/London', durationMinutes: 30, now: new Date('2026-03-03T16:40:00Z'), staff })).toEqual([]);
    expect(freeSlots({ date: '2026-03-04', timeZone: 'Europe/London', durationMinutes: 30, now: MONDAY_NIGHT, staff })).toEqual([]);
  });

  it('should read working hours in the tenant timezone', () => {
    const slots = freeSlots({ date: TUE, timeZone: 'America/New_York', durationMinutes: 60, now: MONDAY_NIGHT, staff: [{ ...staff[1], busy: [] }] });
    expect(slots.map((s) => s.start.toISOString())).toEqual(['2026-03-03T15:00:00.000Z']);
  });

  it('should honour the limit', () => {
    expect(freeSlots({ date: TUE, timeZone: 'Europe/London', durationMinutes: 15, now: MONDAY_NIGHT, staff, limit: 3 })).toHaveLength(3);
  });
});

describe('checkBooking', () => {
  const base = { durationMinutes: 30, timeZone: 'Europe/London', workingHours: WEEKDAYS_9_TO_5, now: MONDAY_NIGHT };
  it.each([
    ['2026-03-03T09:00:00Z', undefined],
    ['2026-03-03T16:30:00Z', undefined],
    ['2026-03-03T16:45:00Z', 'outside_hours'],
    ['2026-03-03T11:45:00Z', 'outside_hours'],
    ['2026-03-03T08:30:00Z', 'outside_hours'],
    ['2026-03-04T10:00:00Z', 'outside_hours'],
    ['2026-03-03T09:02:00Z', 'off_grid'],
    ['2026-03-02T09:00:00Z', 'past'],
    ['2027-03-02T09:00:00Z', 'too_far_ahead'],
  ])('should judge a 30-minute booking at %s as %s', (iso, problem) => {
    expect(checkBooking({ ...base, start: new Date(iso) })).toBe(problem);
  });
});

describe('describeWorkingHoursProblem', () => {
  it.each([
    [{ mon: [{ open: '09:00', close: '17:00' }] }, undefined],
    [{}, undefined],
    [[], 'workingHours must be an object keyed by weekday (mon ... sun)'],
    [{ monday: [] }, expect.stringContaining('unknown day "monday"')],
    [{ mon: [{ open: '9am', close: '17:00' }] }, expect.stringContaining('"HH:MM"')],
    [{ mon: [{ open: '09:03', close: '17:00' }] }, expect.stringContaining('5-minute')],
    [{ mon: [{ open: '17:00', close: '09:00' }] }, expect.stringContaining('must be before')],
    [
      {
        mon: [
          { open: '09:00', close: '13:00' },
          { open: '12:00', close: '17:00' },
        ],
      },
      expect.stringContaining('must not overlap'),
    ],
  ])('should judge %j', (hours, expected) => {
    expect(describeWorkingHoursProblem(hours)).toEqual(expected);
  });
});

describe('slotStarts', () => {
  it('should cover the booking in 5-minute cells', () => {
    expect(slotStarts(new Date('2026-03-03T09:00:00Z'), 20).map((d) => d.toISOString().slice(11, 16))).toEqual(['09:00', '09:05', '09:10', '09:15']);
  });
});

describe('parseDateTime and friends', () => {
  it.each([
    ['2026-03-03T10:00:00Z', '2026-03-03T10:00:00.000Z'],
    ['2026-03-03T10:00:00+01:00', '2026-03-03T09:00:00.000Z'],
    ['2026-03-03T10:00+0100', '2026-03-03T09:00:00.000Z'],
    ['2026-07-03T10:00', '2026-07-03T09:00:00.000Z'],
    ['2026-07-03 10:00', '2026-07-03T09:00:00.000Z'],
    ['2026-02-30T10:00', undefined],
    ['tomorrow at ten', undefined],
    ['2026-03-03T25:00', undefined],
  ])('should read %s', (text, iso) => {
    expect(parseDateTime(text, 'Europe/London')?.toISOString()).toBe(iso);
  });

  it('should format and describe local times', () => {
    expect(formatLocalIso(new Date('2026-07-03T09:00:00Z'), 'Europe/London')).toBe('2026-07-03T10:00:00+01:00');
    expect(formatLocalIso(new Date('2026-01-15T15:00:00Z'), 'America/New_York')).toBe('2026-01-15T10:00:00-05:00');
    expect(describeWhen(new Date('2026-03-03T10:00:00Z'), 'Europe/London')).toBe('Tuesday 3 March at 10:00');
  });
});
