import type { Clock } from '../../src/domain/clock.js';

/** A clock tests move by hand, so time rules are tested without sleeping (invariant 10). */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-12-01T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): Date {
    this.current += ms;
    return this.now();
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
}

/**
 * Wall-clock time plus an offset tests can jump forward: replicas sharing it run real cron schedules
 * and real timeouts, while a test still skips an hour-long grant window (or a rate-limit window) at once.
 */
export class RunningClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): Date {
    this.offsetMs += ms;
    return this.now();
  }
}
