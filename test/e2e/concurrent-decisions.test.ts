import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { Harness } from '../support/harness.js';
import { ACTION, BLOCK, VIEW } from '../../src/slack/ids.js';

const available = await postgresAvailable();
const APPROVERS = Array.from({ length: 20 }, (_, i) => `UAPP${String(i).padStart(2, '0')}`);

describe.skipIf(!available)('20 concurrent Approve clicks and a Deny on real PostgreSQL', () => {
  const h = new Harness();
  let role: string;
  let ana: string;

  beforeAll(async () => {
    role = await h.createRole('ro', false);
    ana = await h.createRole('ana', true);
    h.slack.addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` }).addUser({ id: 'UDENY', name: 'Dee Nye', email: 'dee@example.com' });
    for (const id of APPROVERS) h.slack.addUser({ id, name: id, email: `${id.toLowerCase()}@example.com` });
    await h.start(`
providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
resources:
  db:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [${[...APPROVERS, 'UDENY'].join(', ')}]
    duration: { default: 1h, max: 2h }
`);
  });
  afterAll(() => h.stop());

  it('makes exactly one decision, one grant, one activation and one decision event', async () => {
    await (await h.command('UANA', 'request db 1h race')).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests`)).length === 1, 'request');
    const [{ id }] = (await h.sql<{ id: string }>(`SELECT id FROM requests`)) as [{ id: string }];

    const clicks = APPROVERS.map((approver) => h.click(approver, ACTION.approve, id));
    const deny = h.submitView('UDENY', VIEW.denyReason, { [BLOCK.denyReason]: { value: { type: 'plain_text_input', value: 'not today' } } }, id);
    const responses = await Promise.all([...clicks.map((c) => c.response), deny]);
    expect(responses.every((r) => r.status === 200)).toBe(true);

    await h.eventually(async () => (await h.requestStatus(id)) !== 'pending', 'a decision');
    // Every losing click is answered privately (listeners run after the ack, so wait for them).
    const replies = () => clicks.flatMap((c) => h.slack.responsesTo(c.responseName)).map((r) => String(r.text));
    await h.slack.waitFor(() => replies().length >= APPROVERS.length - 1, 'replies to the losing clicks');
    await h.settle();

    const decisions = await h.sql<{ action: string }>(`SELECT action FROM audit_events WHERE action IN ('request.approved', 'request.denied')`);
    expect(decisions).toHaveLength(1);
    const status = await h.requestStatus(id);
    const grants = await h.sql<{ status: string }>(`SELECT status FROM grants`);
    const activations = await h.sql(`SELECT id FROM audit_events WHERE action = 'grant.activated'`);
    if (status === 'approved') {
      expect(grants).toEqual([{ status: 'active' }]);
      expect(activations).toHaveLength(1);
      expect(await h.hasRole(ana, role)).toBe(true);
    } else {
      expect(status).toBe('denied');
      expect(grants).toEqual([]);
      expect(activations).toHaveLength(0);
      expect(await h.hasRole(ana, role)).toBe(false);
    }
    expect(replies().every((text) => /already (approved|denied) by <@U/.test(text))).toBe(true);
  });
});
