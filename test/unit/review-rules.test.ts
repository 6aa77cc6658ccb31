import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import {
  assertCanDecideItem,
  chooseReviewer,
  clampPage,
  firstReminderAt,
  nextReminderAfter,
  pageCount,
  provenanceOf,
  stableIndex,
  unexpectedHolders,
} from '../../src/domain/review-rules.js';
import { dueWindow, nextFire, previousFire } from '../../src/domain/review-schedule.js';
import { FakeClock } from '../support/clock.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('chooseReviewer: who reviews one holder', () => {
  it('never picks the holder: their item goes to another owner', () => {
    for (let i = 0; i < 50; i += 1) expect(chooseReviewer(`res|id${i}`, 'UBOB', [['UBOB', 'UCY']])).toBe('UCY');
  });

  it('falls through the lists in order: manager, rule, owners, admins', () => {
    expect(chooseReviewer('k', 'UANA', [['UMGR'], ['UG1'], ['UOWN'], ['UADM']])).toBe('UMGR');
    expect(chooseReviewer('k', 'UANA', [[], ['UG1'], ['UOWN'], ['UADM']])).toBe('UG1');
    expect(chooseReviewer('k', 'UOWN', [[], [], ['UOWN'], ['UADM']])).toBe('UADM');
    expect(chooseReviewer('k', 'UANA', [['UANA'], [], [], []])).toBeNull();
  });

  it('is stable for a key (a resumed build assigns the same way) and spreads items evenly', () => {
    const owners = ['UC', 'UA', 'UB'];
    expect(chooseReviewer('db|ana', null, [owners])).toBe(chooseReviewer('db|ana', null, [[...owners].reverse()]));
    const load = new Map<string, number>();
    for (let i = 0; i < 3_000; i += 1) {
      const who = chooseReviewer(`db|user${i}`, null, [owners])!;
      load.set(who, (load.get(who) ?? 0) + 1);
    }
    for (const id of owners) expect(load.get(id)).toBeGreaterThan(850);
  });

  it('stableIndex stays within range', () => {
    for (const n of [1, 2, 7]) for (const key of ['', 'a', 'ü', 'x'.repeat(500)]) expect(stableIndex(key, n)).toBeLessThan(n);
  });
});

describe('provenanceOf', () => {
  const grant = (status: string) => ({ id: 'g', status, grantedAt: new Date(0), approvedBy: 'UBOB', reason: 'why', endedAt: null });
  it('is a grant while a Keycard grant is live, baseline when declared, unknown otherwise', () => {
    expect(provenanceOf('ana', [], grant('active'))).toBe('grant');
    expect(provenanceOf('ana', ['ana'], grant('revoked'))).toBe('baseline');
    expect(provenanceOf('ana', [], grant('revoked'))).toBe('unknown');
    expect(provenanceOf('ana', [], null)).toBe('unknown');
  });
});

describe('paging', () => {
  it('counts pages of ten and clamps a stale page number', () => {
    expect([0, 1, 10, 11, 100_000].map((n) => pageCount(n))).toEqual([1, 1, 1, 2, 10_000]);
    expect(clampPage(-1, 25)).toBe(0);
    expect(clampPage(2, 25)).toBe(2);
    expect(clampPage(99, 25)).toBe(2);
    expect(clampPage(Number.NaN, 25)).toBe(0);
    expect(clampPage(1.7, 25)).toBe(1);
  });
});

describe('reminders and due, with a fake clock', () => {
  const clock = new FakeClock('2026-12-01T09:00:00.000Z');
  const start = clock.now();
  const due = new Date(start.getTime() + 7 * DAY);

  it('reminds one interval after the start, and never at or after due unless escalating', () => {
    expect(firstReminderAt(start, DAY, due, false)).toEqual(new Date(start.getTime() + DAY));
    expect(firstReminderAt(start, null, due, false)).toBeNull();
    expect(firstReminderAt(start, 7 * DAY, due, false)).toBeNull();
    expect(firstReminderAt(start, 7 * DAY, due, true)).toEqual(due);
  });

  it('moves on one interval, skipping rounds missed while down (one reminder, not a burst)', () => {
    const first = new Date(start.getTime() + DAY);
    clock.set(first);
    expect(nextReminderAfter(first, DAY, due, false, clock.now())).toEqual(new Date(start.getTime() + 2 * DAY));
    clock.advance(3 * DAY + HOUR); // down for three days
    expect(nextReminderAfter(first, DAY, due, false, clock.now())).toEqual(new Date(start.getTime() + 5 * DAY));
    clock.set(new Date(start.getTime() + 6 * DAY));
    expect(nextReminderAfter(clock.now(), DAY, due, false, clock.now())).toBeNull();
    expect(nextReminderAfter(clock.now(), DAY, due, true, clock.now())).toEqual(due);
  });
});

describe('assertCanDecideItem', () => {
  const campaign = { id: 'c1', reviewName: 'q', status: 'open' as const, dueAt: new Date(0), closedAt: null };
  const item = { id: 7, reviewerId: 'UBOB', holderId: 'UANA', status: 'pending' as const, decision: null, decidedBy: null, decidedAt: null };
  const codeOf = (c: typeof campaign | { status: string }, i: object, user: string) => {
    try {
      assertCanDecideItem({ ...campaign, ...c } as never, { ...item, ...i } as never, user);
      return 'ok';
    } catch (error) {
      return isDomainError(error) ? error.code : 'other';
    }
  };
  it('says closed first, then your own access, then not yours, then already decided', () => {
    expect(codeOf(campaign, {}, 'UBOB')).toBe('ok');
    expect(codeOf({ status: 'closing' }, { reviewerId: 'UCY', status: 'kept' }, 'UBOB')).toBe('review_closed');
    expect(codeOf({ status: 'creating' }, {}, 'UBOB')).toBe('review_closed');
    expect(codeOf(campaign, { reviewerId: 'UANA' }, 'UANA')).toBe('self_review');
    expect(codeOf(campaign, {}, 'UCY')).toBe('not_your_review_item');
    expect(codeOf(campaign, { status: 'kept', decision: 'keep' }, 'UBOB')).toBe('review_item_decided');
  });
});

describe('unexpectedHolders (drift)', () => {
  it('lists holders nothing explains, once each, sorted', () => {
    expect(unexpectedHolders(['zed', 'ana', 'svc', 'zed', 'bob'], new Set(['ana', 'svc']))).toEqual(['bob', 'zed']);
  });
});

describe('review schedules in a time zone', () => {
  it('reads cron in the review’s zone across a DST change', () => {
    // 09:00 Berlin is 08:00 UTC in winter and 07:00 UTC in summer (DST began 2026-03-29).
    expect(previousFire('0 9 * * *', 'Europe/Berlin', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(previousFire('0 9 * * *', 'Europe/Berlin', new Date('2026-03-30T12:00:00Z')).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(nextFire('0 9 1 */3 *', 'UTC', new Date('2026-12-05T00:00:00Z')).toISOString()).toBe('2027-01-01T09:00:00.000Z');
  });

  it('counts a fire exactly at now, and starts a missed window only within the grace', () => {
    const at = new Date('2026-10-01T09:00:00Z');
    expect(dueWindow('0 9 1 */3 *', 'UTC', at, DAY)).toEqual(at);
    expect(dueWindow('0 9 1 */3 *', 'UTC', new Date(at.getTime() + 6 * DAY), 7 * DAY)).toEqual(at);
    expect(dueWindow('0 9 1 */3 *', 'UTC', new Date(at.getTime() + 8 * DAY), 7 * DAY)).toBeNull();
    expect(dueWindow('0 9 1 */3 *', 'UTC', new Date(at.getTime() - 1), 7 * DAY)).toBeNull();
  });
});
