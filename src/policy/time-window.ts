import type { TimeWindow, Weekday } from './policy.js';

const WEEKDAYS: Record<string, Weekday> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

/** Whether `at` falls on one of the window's days, between its local times, in its time zone. */
export function inTimeWindow(window: TimeWindow, at: Date): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: window.timezone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS[part('weekday')];
  if (!day || !window.days.includes(day)) return false;
  const minutes = Number(part('hour')) * 60 + Number(part('minute'));
  const [from, to] = window.between.split('-').map(toMinutes) as [number, number];
  return from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to; // overnight windows wrap
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
