import { unexpectedHolders } from '../domain/review-rules.js';
import type { Resource } from '../policy/policy.js';
import type { DriftFindingRow, DriftRunRow } from '../store/drift-repo.js';
import type { Repositories } from '../store/store.js';
import type { ServiceDeps } from './deps.js';
import { notify } from './notifications.js';
import { resolvePeople } from './resolve-people.js';

const BATCH = 500;

interface Tally {
  checked: number;
  found: number;
  resolved: number;
  errors: string[];
}

/**
 * Compares each provider's holders with what Keycard expects: live grants (and grants or revocations
 * that ended while the provider was being read), the resource's declared `baseline`, and standing
 * access a review kept. Anything else is drift: reported to the owners once while it lasts and, under
 * `on_drift: revoke`, removed with the revocation guarantees. One run per `settings.reconcile_every`
 * window, claimed in the database, so replicas do not all run it.
 */
export async function reconcileDrift(deps: ServiceDeps): Promise<DriftRunRow | null> {
  const { store, clock, policy, logger } = deps;
  const now = clock.now();
  const windowStart = Math.floor(now.getTime() / policy.reconcileEveryMs) * policy.reconcileEveryMs;
  const run = await store.drift.claimWindow(new Date(windowStart).toISOString(), now);
  if (!run) return null;
  const tally: Tally = { checked: 0, found: 0, resolved: 0, errors: [] };
  for (const resource of Object.values(policy.resources).sort((a, b) => a.name.localeCompare(b.name))) {
    if (resource.onDrift === 'ignore') continue;
    try {
      await reconcileResource(deps, run, resource, tally);
      tally.checked += 1;
    } catch (error) {
      const message = (error as Error).message;
      tally.errors.push(`${resource.name}: ${message}`);
      logger.warn({ resource: resource.name, err: message }, 'drift check failed for a resource; next window tries again');
    }
  }
  const finishedAt = clock.now();
  await store.transaction(async (tx) => {
    await tx.drift.finishRun(run.id, { finishedAt, checked: tally.checked, found: tally.found, resolved: tally.resolved, errors: tally.errors });
    await tx.audit.append({ at: finishedAt, actor: 'system', action: 'drift.checked', subjectType: 'drift', subjectId: run.id, data: { ...tally } });
  });
  if (tally.found > 0) {
    deps.wake('deliver-notifications');
    deps.wake('revoke-standing-access');
  }
  return { ...run, finishedAt, ...tally };
}

async function reconcileResource(deps: ServiceDeps, run: DriftRunRow, resource: Resource, tally: Tally): Promise<void> {
  const { store, clock, providers, policy, directory } = deps;
  const provider = providers.get(resource.providerName);
  if (!provider) throw new Error(`provider ${resource.providerName} is not configured`);
  const since = clock.now(); // before the provider is read: a grant ending meanwhile is not drift
  const holders = await provider.listHolders(resource.grant);
  const expected = await store.reviews.evidence.expectedIdentities(resource.providerName, resource.grant, since);
  for (const identity of resource.baseline) expected.add(identity);
  let unexpected = unexpectedHolders(holders, expected);
  const certified = new Set<string>();
  for (let i = 0; i < unexpected.length; i += BATCH) {
    for (const identity of await store.reviews.evidence.certified(resource.providerName, resource.grant, unexpected.slice(i, i + BATCH))) certified.add(identity);
  }
  unexpected = unexpected.filter((identity) => !certified.has(identity));

  const now = clock.now();
  const stillUnexpected = new Set(unexpected);
  const held = new Set(holders);
  const open = await store.drift.openFor(resource.name);
  const known = new Map(open.map((f) => [f.identity, f]));
  await store.transaction(async (tx) => {
    for (const finding of open.filter((f) => f.status === 'open' && !stillUnexpected.has(f.identity))) {
      const reason = held.has(finding.identity) ? 'now expected' : 'no longer held';
      if (!(await tx.drift.resolve(finding.id, now, reason))) continue;
      tally.resolved += 1;
      await tx.audit.append({ at: now, actor: 'system', action: 'drift.resolved', subjectType: 'drift', subjectId: finding.id, data: { resource: resource.name, identity: finding.identity, reason } });
    }
    await tx.drift.touch(open.filter((f) => stillUnexpected.has(f.identity)).map((f) => f.id), now);
  });

  const fresh = unexpected.filter((identity) => !known.has(identity));
  const action = resource.onDrift === 'revoke' ? 'revoke' : 'report';
  for (let i = 0; i < fresh.length; i += BATCH) {
    const batch = fresh.slice(i, i + BATCH);
    const last = i + BATCH >= fresh.length;
    const holdersOf = await store.reviews.evidence.holdersOf(resource.providerName, batch);
    const owners = last ? await resolvePeople(policy, directory, resource.owners.length > 0 ? resource.owners : policy.admins) : new Set<string>();
    await store.transaction(async (tx) => {
      const inserted = await tx.drift.insertMany(
        batch.map((identity) => ({
          runId: run.id,
          resource: resource.name,
          providerName: resource.providerName,
          identity,
          spec: resource.grant,
          holderId: holdersOf.get(identity) ?? null,
          action,
          status: action === 'revoke' ? ('revoking' as const) : ('open' as const),
          foundAt: now,
          lastSeenAt: now,
        })),
      );
      tally.found += inserted.length;
      for (const finding of inserted) await auditFinding(tx, finding, now);
      if (action === 'revoke') {
        await tx.revocations.insertMany(
          inserted.map((f) => ({ source: 'drift' as const, sourceId: f.id, providerName: f.providerName, resource: f.resource, identity: f.identity, spec: f.spec, createdAt: now })),
        );
      }
      // The owners hear once per run and resource, after the last batch: the message lists the run's findings.
      if (last && (await tx.drift.countOf(run.id, resource.name)) > 0) {
        for (const ownerId of owners) await notify(tx, { kind: 'drift.detected', runId: run.id, resource: resource.name, ownerId }, now);
      }
    });
  }
}

async function auditFinding(tx: Repositories, finding: DriftFindingRow, now: Date): Promise<void> {
  await tx.audit.append({
    at: now,
    actor: 'system',
    action: 'drift.detected',
    subjectType: 'drift',
    subjectId: finding.id,
    data: { resource: finding.resource, provider: finding.providerName, identity: finding.identity, holderId: finding.holderId, action: finding.action },
  });
}
