import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import {
  assertCanVote,
  canTransitionRequest,
  eligibleApprovers,
  isDecided,
  tallyVotes,
} from '../../src/domain/request-rules.js';
import type { RequestStatus } from '../../src/domain/types.js';
import { aRequest } from '../support/domain-builders.js';

const STATUSES: RequestStatus[] = ['pending', 'approved', 'denied', 'cancelled', 'expired'];

function refusal(run: () => void): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('canTransitionRequest', () => {
  it('lets pending end in any terminal state', () => {
    for (const to of ['approved', 'denied', 'cancelled', 'expired'] as const) {
      expect(canTransitionRequest('pending', to)).toBe(true);
    }
  });

  it('never leaves a terminal state, and pending does not go to pending', () => {
    for (const from of STATUSES.filter((s) => s !== 'pending')) {
      for (const to of STATUSES) expect(canTransitionRequest(from, to), `${from} → ${to}`).toBe(false);
    }
    expect(canTransitionRequest('pending', 'pending')).toBe(false);
  });

  it('isDecided is true exactly for terminal states', () => {
    expect(STATUSES.filter((status) => isDecided({ status }))).toEqual(['approved', 'denied', 'cancelled', 'expired']);
  });
});

describe('assertCanVote', () => {
  it('accepts a listed approver on a pending request', () => {
    expect(() => assertCanVote(aRequest({ approverIds: ['U0BOB'] }), 'U0BOB')).not.toThrow();
  });

  it('refuses self-approval even when the requester is listed as an approver', () => {
    const request = aRequest({ requesterId: 'U0ANA', approverIds: ['U0ANA', 'U0BOB'] });
    const error = refusal(() => assertCanVote(request, 'U0ANA'));
    expect(error.code).toBe('self_approval');
    expect(error.details).toMatchObject({ requestId: request.id });
  });

  it('refuses someone who is not an approver', () => {
    expect(refusal(() => assertCanVote(aRequest({ approverIds: ['U0BOB'] }), 'U0EVE')).code).toBe('not_an_approver');
  });

  it('refuses a second decision and says who decided and when', () => {
    const decidedAt = new Date('2026-12-01T10:00:00Z');
    const request = aRequest({ status: 'approved', decidedBy: 'U0BOB', decidedAt, approverIds: ['U0BOB', 'U0CAT'] });
    const error = refusal(() => assertCanVote(request, 'U0CAT'));
    expect(error.code).toBe('already_decided');
    expect(error.details).toEqual({ status: 'approved', decidedBy: 'U0BOB', decidedAt });
  });

  it('reports a decided request before self-approval or authority', () => {
    const request = aRequest({ status: 'denied', requesterId: 'U0ANA', decidedBy: 'U0BOB', decidedAt: new Date() });
    expect(refusal(() => assertCanVote(request, 'U0ANA')).code).toBe('already_decided');
    expect(refusal(() => assertCanVote(request, 'U0EVE')).code).toBe('already_decided');
  });

  it('reports an expired request as decided with nobody named', () => {
    const error = refusal(() => assertCanVote(aRequest({ status: 'expired', decidedAt: new Date() }), 'U0BOB'));
    expect(error.code).toBe('already_decided');
    expect(error.details.decidedBy).toBeNull();
  });
});

describe('assertCanVote past the deadline', () => {
  const expiresAt = new Date('2026-12-02T09:00:00.000Z');

  it('refuses a pending request whose deadline has passed, as expired undecided', () => {
    const request = aRequest({ expiresAt });
    const error = refusal(() => assertCanVote(request, 'U0BOB', expiresAt));
    expect(error.code).toBe('already_decided');
    expect(error.details).toEqual({ status: 'expired', decidedBy: null, decidedAt: expiresAt });
  });

  it('accepts a vote just before the deadline, and without a clock checks no deadline', () => {
    const request = aRequest({ expiresAt });
    expect(() => assertCanVote(request, 'U0BOB', new Date(expiresAt.getTime() - 1))).not.toThrow();
    expect(() => assertCanVote(request, 'U0BOB')).not.toThrow();
  });

  it('still reports who decided a request decided before its deadline', () => {
    const request = aRequest({ expiresAt, status: 'approved', decidedBy: 'U0CAT', decidedAt: new Date('2026-12-01T10:00:00Z') });
    expect(refusal(() => assertCanVote(request, 'U0BOB', new Date('2026-12-03T00:00:00Z'))).details.decidedBy).toBe('U0CAT');
  });
});

describe('eligibleApprovers', () => {
  it('drops the requester and duplicates, keeping order', () => {
    expect(eligibleApprovers('U0ANA', ['U0BOB', 'U0ANA', 'U0CAT', 'U0BOB'])).toEqual(['U0BOB', 'U0CAT']);
  });
});

describe('tallyVotes', () => {
  it('is undecided with no votes', () => {
    expect(tallyVotes([], 1)).toEqual({ approvals: [], decided: null });
  });

  it('approves at one of one', () => {
    expect(tallyVotes([{ approverId: 'U1', vote: 'approve' }], 1)).toEqual({ approvals: ['U1'], decided: 'approved' });
  });

  it('needs N distinct approvers for N-of-M', () => {
    const one = [{ approverId: 'U1', vote: 'approve' as const }];
    expect(tallyVotes(one, 2)).toEqual({ approvals: ['U1'], decided: null });
    expect(tallyVotes([...one, { approverId: 'U1', vote: 'approve' }], 2).decided).toBeNull();
    expect(tallyVotes([...one, { approverId: 'U2', vote: 'approve' }], 2)).toEqual({
      approvals: ['U1', 'U2'],
      decided: 'approved',
    });
  });

  it('lets one deny decide, whatever the approvals', () => {
    const votes = [
      { approverId: 'U1', vote: 'approve' as const },
      { approverId: 'U2', vote: 'deny' as const },
      { approverId: 'U3', vote: 'approve' as const },
    ];
    expect(tallyVotes(votes, 2).decided).toBe('denied');
    expect(tallyVotes([{ approverId: 'U2', vote: 'deny' }], 1).decided).toBe('denied');
  });
});
