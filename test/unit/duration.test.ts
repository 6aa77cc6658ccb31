import { describe, expect, it } from 'vitest';
import { formatDuration, formatDurationShort, isDuration, parseDuration } from '../../src/domain/duration.js';
import { DomainError, isDomainError } from '../../src/domain/errors.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['90s', 90 * S],
    ['30m', 30 * M],
    ['2h', 2 * H],
    ['1d', D],
    ['1h30m', H + 30 * M],
    ['1d2h3m4s', D + 2 * H + 3 * M + 4 * S],
    [' 2H ', 2 * H],
    ['7d', 7 * D],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '   ', '2', 'h', '2 h', '1.5h', '-1h', '2w', '2hours', 'abc', '1h 30m', '0m', '0s0m'])(
    'refuses %j with invalid_duration naming the input',
    (text) => {
      let caught: unknown;
      try {
        parseDuration(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DomainError);
      expect(isDomainError(caught, 'invalid_duration')).toBe(true);
      expect((caught as DomainError).details).toEqual({ input: text });
    },
  );

  it('isDuration agrees with parseDuration', () => {
    expect(isDuration('45m')).toBe(true);
    expect(isDuration('45')).toBe(false);
    expect(isDuration('0h')).toBe(false);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 seconds'],
    [S, '1 second'],
    [45 * S, '45 seconds'],
    [M, '1 minute'],
    [90 * S, '1 minute 30 seconds'],
    [H + 30 * M, '1 hour 30 minutes'],
    [2 * D, '2 days'],
    [D + H, '1 day 1 hour'],
  ])('formats %d ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('keeps only the two largest units a person reads', () => {
    expect(formatDuration(D + 2 * H + 3 * M + 4 * S)).toBe('1 day 2 hours');
  });
});

describe('formatDurationShort', () => {
  it.each([
    [0, '0s'],
    [90 * S, '1m30s'],
    [H + 30 * M, '1h30m'],
    [D + 2 * H + 3 * M + 4 * S, '1d2h3m4s'],
    [4 * H, '4h'],
  ])('formats %d ms as %j', (ms, text) => {
    expect(formatDurationShort(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [S, 90 * S, 30 * M, 2 * H + 15 * M, 3 * D + 7 * S]) {
      expect(parseDuration(formatDurationShort(ms))).toBe(ms);
    }
  });
});

describe('parseDuration bounds', () => {
  it('refuses durations longer than a year, which would make dates that are not dates', () => {
    expect(parseDuration('366d')).toBe(366 * 86_400_000);
    expect(() => parseDuration('367d')).toThrow(expect.objectContaining({ code: 'invalid_duration' }));
    expect(() => parseDuration('99999999999d')).toThrow(expect.objectContaining({ code: 'invalid_duration' }));
  });
});
