import { randomUUID } from 'node:crypto';
import type { AccessRequest, Principal } from '../../src/domain/types.js';

/** A pending request with sensible defaults; override what a test is about. */
export function aRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  const createdAt = overrides.createdAt ?? new Date('2026-12-01T09:00:00.000Z');
  return {
    id: randomUUID(),
    resource: 'prod-db-readonly',
    requesterId: 'U0ANA',
    requesterEmail: 'ana@example.com',
    requesterName: 'Ana',
    identity: 'ana',
    durationMs: 3_600_000,
    reason: 'investigating INC-1',
    status: 'pending',
    requiredApprovals: 1,
    approverIds: ['U0BOB'],
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 86_400_000),
    decidedAt: null,
    decidedBy: null,
    decisionReason: null,
    autoApprovedBy: null,
    kind: 'access',
    grantId: null,
    remindedAt: null,
    escalatedAt: null,
    confirmBy: null,
    confirmedBy: null,
    confirmedAt: null,
    ...overrides,
  };
}

export function aPrincipal(overrides: Partial<Principal> = {}): Principal {
  return { slackUserId: 'U0ANA', email: 'ana@example.com', displayName: 'Ana', ...overrides };
}
