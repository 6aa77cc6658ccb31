import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AccessRequest, Grant } from '../../../src/domain/types.js';
import { entitlementKey } from '../../../src/domain/grant-rules.js';
import type { Database } from '../../../src/store/db.js';
import type { NewGrant } from '../../../src/store/grants-repo.js';
import type { NewRequest } from '../../../src/store/requests-repo.js';
import type { grants } from '../../../src/store/schema.js';
import type { Store } from '../../../src/store/store.js';

/** What each part of the store suite needs: the store under test, opened for one backend. */
export interface StoreContext {
  backend: 'pglite' | 'postgres';
  store(): Store;
  database(): Database;
}

export const T0 = new Date('2026-12-01T09:00:00.000Z');
export const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  const createdAt = overrides.createdAt ?? T0;
  return {
    resource: 'prod-db-readonly',
    requesterId: 'U0ANA',
    requesterEmail: 'ana@example.com',
    requesterName: 'Ana',
    identity: 'ana',
    durationMs: HOUR,
    reason: 'INC-42',
    status: 'pending',
    requiredApprovals: 1,
    approverIds: ['U0BOB', 'U0CAT'],
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 24 * HOUR),
    ...overrides,
  };
}

/** Files a request and a pending grant for it. */
export async function pendingGrant(store: Store, overrides: Partial<NewGrant> = {}): Promise<Grant> {
  const request = await store.requests.insert(newRequest({ requesterId: overrides.holderId ?? 'U0ANA' }));
  return store.grants.insert(grantFor(request, overrides));
}

export function grantFor(request: AccessRequest, overrides: Partial<NewGrant> = {}): NewGrant {
  const spec = overrides.spec ?? { role: 'prod_readonly' };
  const identity = overrides.identity ?? request.identity;
  return {
    requestId: request.id,
    resource: request.resource,
    providerName: 'prod-pg',
    holderId: request.requesterId,
    identity,
    spec,
    entitlementKey: entitlementKey('prod-pg', identity, spec),
    durationMs: HOUR,
    createdAt: T0,
    ...overrides,
  };
}

/** An active grant expiring at `expiresAt`, claimed and activated the way the activation job does. */
export async function activeGrant(store: Store, expiresAt: Date, overrides: Partial<NewGrant> = {}): Promise<Grant> {
  const grant = await pendingGrant(store, overrides);
  const activatedAt = new Date(expiresAt.getTime() - grant.durationMs);
  const active = await store.grants.transition(grant.id, 'pending', 'active', { activatedAt, expiresAt, nextAttemptAt: expiresAt });
  if (!active) throw new Error('could not activate the test grant');
  return active;
}

export const randomId = () => randomUUID();

/** Empties every table but the append-only audit log, so each test starts from nothing due. */
export async function clearTables(database: Database): Promise<void> {
  const result = await database.db.execute(
    sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'audit_events' ORDER BY tablename`,
  );
  // postgres-js answers with an array of rows, PGlite with { rows }.
  const rows = (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as Array<{ tablename: string }>;
  if (rows.length === 0) return;
  await database.db.execute(sql.raw(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')}`));
}

/** The claim columns, which the domain Grant type leaves out but the rows carry. */
export function leaseOf(grant: Grant): { owner: string | null; until: Date | null } {
  const row = grant as Grant & Pick<typeof grants.$inferSelect, 'leaseOwner' | 'leaseUntil'>;
  return { owner: row.leaseOwner, until: row.leaseUntil };
}
