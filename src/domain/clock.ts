/** Time is passed in, so every rule about time can be tested without sleeping (invariant 10). */
export interface Clock {
  now(): Date;
}

/**
 * A clock that follows another source (the database) by a measured offset: replicas with skewed
 * system clocks still agree on what is due, because they all read the database's time (invariant 7).
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  setReference(referenceNow: Date, localNow: Date = new Date()): void {
    this.offsetMs = referenceNow.getTime() - localNow.getTime();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
