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
