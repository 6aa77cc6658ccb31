import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverNotifications } from '../../src/services/deliver-notifications.js';
import { ACTION } from '../../src/slack/ids.js';
import { SlackNotifier } from '../../src/slack/notifier.js';
import { ADMIN_URL, postgresAvailable } from '../support/databases.js';
import { ReplicaSet } from '../support/replicas.js';

const available = await postgresAvailable();

/**
 * The narrow form of what the three-replica run shows only sometimes: a request's submission and its
 * decision, delivered by two replicas at the same instant, each finding the requester's copy not yet
 * posted. Each copy must still be posted once and end showing the decision.
 */
describe.skipIf(!available)('two replicas delivering notifications about one request at once', () => {
  const r = new ReplicaSet();

  beforeAll(async () => {
    const role = await r.createRole('ro', false);
    const ana = await r.createRole('ana', true);
    r.slack.addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` }).addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    await r.prepare(
      `
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
resources:
  db:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 2h }
`,
      { TARGET_PG_URL: ADMIN_URL },
    );
    await r.startInProcess(2, { schedule: false });
    // This test delivers by hand; the replicas' own wakes must not deliver first.
    for (const keycard of r.keycards) await keycard.scheduler.stop();
  });
  afterAll(() => r.stop());

  it('posts each copy once and leaves it showing the decision', async () => {
    const sinks = r.keycards.map((k) => new SlackNotifier(new WebClient(r.slack.token, { slackApiUrl: r.slack.apiUrl }), k.deps, k.deps.clock));
    for (let round = 0; round < 5; round++) {
      await (await r.command(0, 'UANA', `request db 1h round ${round}`).response).text();
      let id: string | undefined;
      await r.eventually(async () => {
        id = (await r.sql<{ id: string }>(`SELECT id FROM requests WHERE status = 'pending'`))[0]?.id;
        return id !== undefined;
      }, 'the request');
      await (await r.click(1, 'UBOB', ACTION.approve, id!).response).text();
      await r.eventually(async () => (await r.sql(`SELECT id FROM outbox WHERE kind = 'request.decided' AND delivered_at IS NULL`)).length === 1, 'the decision');
      // Each replica claims one of the two messages and both deliver at the same time.
      await Promise.all(r.keycards.map((k, i) => deliverNotifications({ ...k.deps, workerId: `replica-${i}` }, sinks[i]!, { limit: 1 })));
      await r.eventually(async () => (await r.sql(`SELECT id FROM outbox WHERE delivered_at IS NULL AND kind LIKE 'request.%'`)).length === 0, 'both delivered');
    }

    const stored = await r.sql<{ n: number }>(`SELECT count(*)::int AS n FROM slack_messages`);
    expect(r.slack.callsOf('chat.postMessage')).toHaveLength(stored[0]!.n);
    const copies = r.slack.messagesIn('UANA').filter((m) => /you asked for db/.test(m.text));
    expect(copies).toHaveLength(5);
    expect(copies.every((m) => m.text.startsWith('Approved:'))).toBe(true);
  });
});
