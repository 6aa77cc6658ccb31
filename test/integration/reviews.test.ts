import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load.js';
import { providerKinds } from '../../src/providers/registry.js';
import { applyReviewDue } from '../../src/services/apply-review-due.js';
import { buildReviewCampaigns } from '../../src/services/build-review-campaign.js';
import { closeReviewCampaigns } from '../../src/services/close-review-campaigns.js';
import { decideReviewItems } from '../../src/services/decide-review-items.js';
import { reconcileDrift } from '../../src/services/reconcile-drift.js';
import { remindReviewers } from '../../src/services/remind-reviewers.js';
import { revokeStandingAccess } from '../../src/services/revoke-standing-access.js';
import { scheduleReviewCampaigns } from '../../src/services/schedule-review-campaigns.js';
import { startReview } from '../../src/services/start-review.js';
import { withDirectoryGroups } from '../../src/services/directory-groups.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { createStore, type Store } from '../../src/store/store.js';
import { FakeClock } from '../support/clock.js';
import { createScratchDatabase, postgresAvailable, type ScratchDatabase } from '../support/databases.js';
import { MemoryProvider, memoryKind, serviceDeps, StaticDirectory } from '../support/memory-provider.js';
import { activeGrant, clearTables, HOUR } from './store/context.js';

const havePostgres = await postgresAvailable();
const DAY = 24 * HOUR;
const G1 = { group: 'g1' };
const G2 = { group: 'g2' };

const POLICY = `
settings: { admins: [UADM], reconcile_every: 1h }
providers:
  mem: { kind: memory }
groups:
  owners: [UBOB, UCY]
resources:
  g1:
    provider: mem
    grant: { group: g1 }
    owners: [group:owners]
    duration: { default: 1h, max: 4h }
    baseline: [svc]
  g2:
    provider: mem
    grant: { group: g2 }
    owners: [UBOB]
    duration: { default: 1h, max: 4h }
    on_drift: revoke
reviews:
  daily:
    schedule: "0 9 * * *"
    timezone: Europe/Berlin
    resources: [g1]
    due: 7d
    remind_every: 1d
  keepers:
    schedule: "0 9 1 1 *"
    resources: [g1]
    due: 2d
    on_no_response: keep
  upward:
    schedule: "0 9 1 1 *"
    resources: [g1]
    reviewer: manager
    due: 2d
    remind_every: 1d
    on_no_response: escalate
`;

const policy = parsePolicy(POLICY, 'reviews-test.yaml', new Map([...providerKinds, ['memory', memoryKind as never]]));

describe.each([
  { backend: 'pglite' as const, available: true },
  { backend: 'postgres' as const, available: havePostgres },
])('reviews on $backend', ({ backend, available }) => {
  let database: Database;
  let store: Store;
  let scratch: ScratchDatabase | undefined;
  let clock: FakeClock;
  let provider: MemoryProvider;
  let directory: StaticDirectory;
  const replica = (workerId = 'replica-a') => serviceDeps({ store, policy, provider, clock, workerId, directory });

  beforeAll(async () => {
    if (!available) return;
    if (backend === 'postgres') scratch = await createScratchDatabase('keycard_reviews');
    database = await openDatabase({ url: scratch?.url, dataDir: 'memory://' });
    store = createStore(database);
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });
  beforeEach(async () => {
    if (!available) return;
    await clearTables(database);
    // 09:30 Berlin (winter, UTC+1): the daily 09:00 window fired half an hour ago.
    clock = new FakeClock('2026-12-01T08:30:00.000Z');
    provider = new MemoryProvider('mem');
    directory = new StaticDirectory();
  });

  const campaignsOf = async (review: string) => (await store.reviews.campaigns.listRecent(50)).filter((c) => c.reviewName === review);
  const itemsOf = async (campaignId: string) => {
    const all = [];
    for (let after = 0; ; ) {
      const page = await store.reviews.items.after(campaignId, after, 1000);
      all.push(...page);
      if (page.length < 1000) return all;
      after = page[page.length - 1]!.id;
    }
  };
  const started = async (review: string) => {
    await startReview(replica(), { reviewName: review, startedBy: 'UADM' });
    await buildReviewCampaigns(replica());
    const [campaign] = await campaignsOf(review);
    return campaign!;
  };

  it.skipIf(!available)('starts one campaign per schedule window, however many replicas ask', async () => {
    const results = await Promise.all([scheduleReviewCampaigns(replica('a')), scheduleReviewCampaigns(replica('b')), scheduleReviewCampaigns(replica('c'))]);
    expect(results.reduce((a, b) => a + b, 0)).toBe(1);
    const [campaign] = await campaignsOf('daily');
    expect(campaign!.windowKey).toBe('2026-12-01T08:00:00.000Z');
    clock.advance(10 * 60_000);
    expect(await scheduleReviewCampaigns(replica('a'))).toBe(0); // same window (and one is running)
    expect(await campaignsOf('keepers')).toHaveLength(0); // its window is long past its due
  });

  it.skipIf(!available)('builds a campaign in bounded batches, once, even with two replicas building at once', async () => {
    provider.add(G1, Array.from({ length: 53 }, (_, i) => `user${String(i).padStart(2, '0')}`));
    await startReview(replica(), { reviewName: 'daily', startedBy: 'UADM' });
    const built = await Promise.all([buildReviewCampaigns(replica('a'), { batchSize: 7 }), buildReviewCampaigns(replica('b'), { batchSize: 7 })]);
    expect(built.reduce((a, b) => a + b, 0)).toBe(1);
    const [campaign] = await campaignsOf('daily');
    expect(campaign!.status).toBe('open');
    expect(campaign!.itemCount).toBe(53);
    const items = await itemsOf(campaign!.id);
    expect(new Set(items.map((i) => i.identity)).size).toBe(53);
    expect(new Set(items.map((i) => i.reviewerId))).toEqual(new Set(['UBOB', 'UCY']));
    // One message per reviewer is queued, not one per item.
    expect(await store.outbox.pendingCount()).toBe(2);
  });

  it.skipIf(!available)('leaves a campaign building while the provider fails, and opens it once it answers', async () => {
    provider.add(G1, ['ana']);
    provider.failListings = 1;
    await startReview(replica(), { reviewName: 'daily', startedBy: 'UADM' });
    expect(await buildReviewCampaigns(replica())).toBe(0);
    let [campaign] = await campaignsOf('daily');
    expect(campaign).toMatchObject({ status: 'creating', lastError: 'target unavailable' });
    expect(await buildReviewCampaigns(replica())).toBe(0); // backing off
    clock.advance(61_000);
    expect(await buildReviewCampaigns(replica())).toBe(1);
    [campaign] = await campaignsOf('daily');
    expect(campaign).toMatchObject({ status: 'open', itemCount: 1 });
  });

  it.skipIf(!available)('marks a revoked item revoked only once the provider confirms, retrying with backoff', async () => {
    provider.add(G1, ['ana', 'dan']);
    const campaign = await started('daily');
    const dan = (await itemsOf(campaign.id)).find((i) => i.identity === 'dan')!;
    provider.failRevokes = 3;
    await decideReviewItems(replica(), { reviewerId: dan.reviewerId!, itemIds: [dan.id], decision: 'revoke', scope: 'item' });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await revokeStandingAccess(replica())).toBe(1);
      expect((await store.reviews.items.findById(dan.id))!.status).toBe('revoking');
      expect(provider.has(G1, 'dan')).toBe(true);
      expect(await revokeStandingAccess(replica())).toBe(0); // not due again before its backoff ends
      clock.advance(2 ** attempt * 1_000 + 1);
    }
    expect(await revokeStandingAccess(replica())).toBe(1);
    expect(provider.has(G1, 'dan')).toBe(false);
    expect((await store.reviews.items.findById(dan.id))!.status).toBe('revoked');
    const revocation = await store.revocations.findBySource('review', String(dan.id));
    expect(revocation).toMatchObject({ status: 'done', attempts: 3 });
  });

  it.skipIf(!available)('coalesces message updates while one is waiting: a burst of clicks is one chat.update', async () => {
    provider.add(G1, Array.from({ length: 12 }, (_, i) => `u${i}`));
    const campaign = await started('daily');
    const bobs = (await itemsOf(campaign.id)).filter((i) => i.reviewerId === 'UBOB');
    await store.transaction(async (tx) => {
      // Deliver (mark done) the initial messages so only updates are counted.
      for (const m of await tx.outbox.claim({ now: clock.now(), owner: 'x', leaseMs: 60_000, limit: 50 })) await tx.outbox.markDelivered(m.id, 'x', clock.now());
    });
    for (const item of bobs.slice(0, 4)) await decideReviewItems(replica(), { reviewerId: 'UBOB', itemIds: [item.id], decision: 'keep', scope: 'item' });
    expect(await store.outbox.pendingCount()).toBe(1);
  });

  it.skipIf(!available)('at due keeps unanswered items under on_no_response: keep, and closes', async () => {
    provider.add(G1, ['ana', 'dan']);
    const campaign = await started('keepers');
    clock.advance(2 * DAY);
    await applyReviewDue(replica());
    await closeReviewCampaigns(replica());
    const items = await itemsOf(campaign.id);
    expect(items.map((i) => [i.status, i.unanswered, i.decidedBy])).toEqual([
      ['kept', true, 'system'],
      ['kept', true, 'system'],
    ]);
    expect((await store.reviews.campaigns.findById(campaign.id))!.status).toBe('closed');
    expect(provider.has(G1, 'dan')).toBe(true);
  });

  it.skipIf(!available)('reviewer: manager, and at due escalates unanswered items up a level, staying open and reminding', async () => {
    await activeGrant(store, new Date(clock.now().getTime() + HOUR), { providerName: 'mem', spec: G1, identity: 'ana', holderId: 'UANA', resource: 'g1' });
    provider.add(G1, ['ana', 'dan']);
    directory.managers.set('UANA', 'UMGR');
    const campaign = await started('upward');
    let items = await itemsOf(campaign.id);
    expect(Object.fromEntries(items.map((i) => [i.identity, i.reviewerId]))).toMatchObject({ ana: 'UMGR' });
    expect(['UBOB', 'UCY']).toContain(items.find((i) => i.identity === 'dan')!.reviewerId);

    clock.advance(2 * DAY + 1);
    await applyReviewDue(replica());
    items = await itemsOf(campaign.id);
    const ana = items.find((i) => i.identity === 'ana')!;
    const dan = items.find((i) => i.identity === 'dan')!;
    expect(ana).toMatchObject({ status: 'pending', escalated: true });
    expect(['UBOB', 'UCY']).toContain(ana.reviewerId); // the manager's item goes to the owners
    expect(dan).toMatchObject({ status: 'pending', escalated: true, reviewerId: 'UADM' }); // an owner's goes to the admins
    expect((await store.reviews.campaigns.findById(campaign.id))!).toMatchObject({ status: 'open' });
    expect(await remindReviewers(replica())).toBeGreaterThan(0);

    await decideReviewItems(replica(), { reviewerId: 'UADM', itemIds: [dan.id], decision: 'keep', scope: 'page' });
    await decideReviewItems(replica(), { reviewerId: ana.reviewerId!, itemIds: [ana.id], decision: 'keep', scope: 'item' });
    await closeReviewCampaigns(replica());
    expect((await store.reviews.campaigns.findById(campaign.id))!.status).toBe('closed');
  });

  it.skipIf(!available)('reviewer: manager reads managers from the SCIM directory', async () => {
    const user = (userName: string, slackUserId: string, manager: string | null) =>
      store.directory.insertUser({ userName, externalId: `ext-${userName}`, email: `${userName}@example.com`, displayName: userName, department: null, manager, active: true, slackUserId, resource: {} }, clock.now());
    const boss = await user('boss', 'UBOSS', null);
    await user('ana', 'UANA', boss!.id); // RFC 7643: the manager's SCIM id
    await user('dan', 'UDAN', 'ext-boss'); // Entra: sometimes the manager's external id
    await activeGrant(store, new Date(clock.now().getTime() + HOUR), { providerName: 'mem', spec: G1, identity: 'ana', holderId: 'UANA', resource: 'g1' });
    await activeGrant(store, new Date(clock.now().getTime() + HOUR), { providerName: 'mem', spec: G1, identity: 'dan', holderId: 'UDAN', resource: 'g1' });
    provider.add(G1, ['ana', 'dan', 'nobody']);
    const deps = { ...replica(), directory: withDirectoryGroups(new StaticDirectory(), store) };
    await startReview(deps, { reviewName: 'upward', startedBy: 'UADM' });
    await buildReviewCampaigns(deps);
    const [campaign] = await campaignsOf('upward');
    const reviewers = Object.fromEntries((await itemsOf(campaign!.id)).map((i) => [i.identity, i.reviewerId]));
    expect(reviewers).toMatchObject({ ana: 'UBOSS', dan: 'UBOSS' });
    expect(['UBOB', 'UCY']).toContain(reviewers.nobody); // manager unknown: an owner
  });

  it.skipIf(!available)('drift: grants, baseline and kept access are expected; the rest is reported or revoked, once, until it ends', async () => {
    await activeGrant(store, new Date(clock.now().getTime() + HOUR), { providerName: 'mem', spec: G1, identity: 'ana', holderId: 'UANA', resource: 'g1' });
    provider.add(G1, ['ana', 'svc', 'kept', 'stray']);
    provider.add(G2, ['intruder']);
    // `kept` was certified in an earlier review.
    const campaign = await started('daily');
    const keptItem = (await itemsOf(campaign.id)).find((i) => i.identity === 'kept')!;
    await decideReviewItems(replica(), { reviewerId: keptItem.reviewerId!, itemIds: [keptItem.id], decision: 'keep', scope: 'item' });

    const runs = await Promise.all([reconcileDrift(replica('a')), reconcileDrift(replica('b'))]);
    expect(runs.filter(Boolean)).toHaveLength(1);
    let findings = [...(await store.drift.openFor('g1')), ...(await store.drift.openFor('g2'))];
    expect(findings.map((f) => [f.resource, f.identity, f.status])).toEqual([
      ['g1', 'stray', 'open'],
      ['g2', 'intruder', 'revoking'],
    ]);
    await revokeStandingAccess(replica());
    expect(provider.has(G2, 'intruder')).toBe(false);
    expect(provider.has(G1, 'stray')).toBe(true); // on_drift: report changes nothing

    // Next window: still there → not reported again; then gone → resolved.
    clock.advance(HOUR);
    await reconcileDrift(replica());
    findings = await store.drift.openFor('g1');
    expect(findings).toHaveLength(1);
    await provider.revoke('stray', G1);
    clock.advance(HOUR);
    await reconcileDrift(replica());
    expect(await store.drift.openFor('g1')).toHaveLength(0);
  });
});
