import { CronExpressionParser } from 'cron-parser';

/**
 * When review campaigns are due to start. Pure: time is passed in. Cron expressions are read in the
 * review's IANA time zone, so `0 9 1 * *` in Europe/Berlin means 09:00 Berlin time across DST changes.
 */

export function isCronExpression(text: string): boolean {
  try {
    CronExpressionParser.parse(text, { strict: false });
    return text.trim().split(/\s+/).length >= 5;
  } catch {
    return false;
  }
}

/** The latest time the schedule fired at or before `now`. */
export function previousFire(schedule: string, timezone: string, now: Date): Date {
  // cron-parser's prev() is strictly before currentDate: step 1ms past now so a fire exactly at now counts.
  const expression = CronExpressionParser.parse(schedule, { currentDate: new Date(now.getTime() + 1), tz: timezone });
  return expression.prev().toDate();
}

export function nextFire(schedule: string, timezone: string, now: Date): Date {
  return CronExpressionParser.parse(schedule, { currentDate: now, tz: timezone }).next().toDate();
}

/**
 * The schedule window a campaign should be running for now, or null. A window is still started late
 * (Keycard was down at the fire time) while less than `graceMs` has passed since it fired: the review's
 * own `due`, so a campaign that would already be overdue when it starts is skipped, not started late.
 */
export function dueWindow(schedule: string, timezone: string, now: Date, graceMs: number): Date | null {
  const fired = previousFire(schedule, timezone, now);
  return now.getTime() - fired.getTime() < graceMs ? fired : null;
}

/** The key that makes one campaign per schedule window (a unique index claims it across replicas). */
export function windowKey(fired: Date): string {
  return fired.toISOString();
}
