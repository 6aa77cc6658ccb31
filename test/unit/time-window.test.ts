import { describe, expect, it } from 'vitest';
import { inTimeWindow } from '../../src/policy/time-window.js';
import type { TimeWindow } from '../../src/policy/policy.js';

const berlinOfficeHours: TimeWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], between: '09:00-18:00', timezone: 'Europe/Berlin' };

describe('inTimeWindow', () => {
  it('reads the local time in the named zone, not UTC', () => {
    // 2026-12-02 is a Wednesday; Berlin is UTC+1 in December.
    expect(inTimeWindow(berlinOfficeHours, new Date('2026-12-02T08:30:00Z'))).toBe(true); // 09:30 in Berlin
    expect(inTimeWindow(berlinOfficeHours, new Date('2026-12-02T07:59:00Z'))).toBe(false); // 08:59 in Berlin
    expect(inTimeWindow(berlinOfficeHours, new Date('2026-12-02T17:00:00Z'))).toBe(false); // 18:00: the end is exclusive
  });

  it('follows daylight saving time', () => {
    // 2026-07-01 (Wednesday): Berlin is UTC+2, so 07:30Z is 09:30 local.
    expect(inTimeWindow(berlinOfficeHours, new Date('2026-07-01T07:30:00Z'))).toBe(true);
    expect(inTimeWindow(berlinOfficeHours, new Date('2026-07-01T16:30:00Z'))).toBe(false);
  });

  it('checks the local weekday', () => {
    // Friday 23:30Z is Saturday 00:30 in Berlin.
    expect(inTimeWindow({ ...berlinOfficeHours, between: '00:00-24:00' }, new Date('2026-12-04T23:30:00Z'))).toBe(false);
    expect(inTimeWindow({ ...berlinOfficeHours, between: '00:00-24:00' }, new Date('2026-12-04T22:30:00Z'))).toBe(true);
  });

  it('wraps windows that cross midnight', () => {
    const night: TimeWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], between: '22:00-06:00', timezone: 'UTC' };
    expect(inTimeWindow(night, new Date('2026-12-02T23:00:00Z'))).toBe(true);
    expect(inTimeWindow(night, new Date('2026-12-02T05:59:00Z'))).toBe(true);
    expect(inTimeWindow(night, new Date('2026-12-02T12:00:00Z'))).toBe(false);
  });
});
