import { DomainError } from './errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** No access window, TTL or schedule needs more than a year; past this, dates stop being dates. */
const LONGEST_MS = 366 * UNIT_MS.d;
type Unit = keyof typeof UNIT_MS;

/** Parses `90s`, `30m`, `2h`, `1d`, and combinations such as `1h30m`. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  const match = /^(?:\d+[smhd])+$/.exec(trimmed);
  if (!match) {
    throw new DomainError('invalid_duration', `"${text}" is not a duration; write it like 30m, 2h or 1d`, {
      input: text,
    });
  }
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) {
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  if (total > LONGEST_MS) {
    throw new DomainError('invalid_duration', `"${text}" is longer than a year; write at most 366d`, { input: text });
  }
  if (total <= 0) {
    throw new DomainError('invalid_duration', `"${text}" is not a positive duration`, { input: text });
  }
  return total;
}

export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** Words a person reads: `1 hour 30 minutes`, `45 seconds`, `2 days`. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  const units: Array<[string, number]> = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
    ['second', 1],
  ];
  for (const [name, seconds] of units) {
    const count = Math.floor(rest / seconds);
    if (count > 0) {
      parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
      rest -= count * seconds;
    }
  }
  return parts.length === 0 ? '0 seconds' : parts.slice(0, 2).join(' ');
}

/** Compact form for commands and logs: `1h30m`. */
export function formatDurationShort(ms: number): string {
  let rest = Math.round(ms / 1000);
  let out = '';
  for (const [unit, seconds] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(rest / seconds);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * seconds;
    }
  }
  return out || '0s';
}
