import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, postgresAvailable } from '../support/databases.js';
import { Harness, SIGNING_SECRET } from '../support/harness.js';
import { ACTION } from '../../src/slack/ids.js';
import { sendSigned, sign, slashCommandBody } from '../support/slack-requests.js';

const available = await postgresAvailable();
const PROVIDER_PASSWORD = 'pw-must-never-appear-7f3a';

describe.skipIf(!available)('invariant 9: secrets never reach the logs', () => {
  const h = new Harness();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });

  beforeAll(async () => {
    const role = await h.createRole('ro', false);
    const ana = await h.createRole('ana', true);
    h.slack.addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` }).addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    const withPassword = new URL(ADMIN_URL);
    withPassword.password = PROVIDER_PASSWORD; // trust auth ignores it; the point is that it is in the config
    await h.start(
      `
providers:
  target-pg: { kind: postgres, url: env:SECRET_TARGET_URL }
  unreachable: { kind: postgres, url: env:BROKEN_URL }
resources:
  db:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 2h }
  broken:
    provider: unreachable
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 2h }
`,
      { SECRET_TARGET_URL: withPassword.toString(), BROKEN_URL: `postgres://keycard:${PROVIDER_PASSWORD}@127.0.0.1:1/none` },
      { logger: pino({ level: 'trace' }, sink) },
    );
  });
  afterAll(() => h.stop());

  it('logs a whole flow, failures included, without the bot token, signing secret or provider passwords', async () => {
    await (await h.command('UANA', 'request db 1h logged flow')).response;
    await (await h.command('UANA', 'request broken 1h will fail')).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests`)).length === 2, 'requests');
    for (const { id } of await h.sql<{ id: string }>(`SELECT id FROM requests`)) await (await h.click('UBOB', ACTION.approve, id)).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests WHERE status = 'approved'`)).length === 2, 'approvals');
    await h.settle().catch(() => {}); // the unreachable provider keeps its grant pending and retrying
    await h.keycard.scheduler.runNow('activate-grants');
    // A forged request and a replay are logged too.
    const body = slashCommandBody(h.target, { userId: 'UANA', text: 'help', responseUrl: h.slack.responseUrl('x') });
    await sendSigned(h.target, body, { signature: sign('wrong', Math.floor(Date.now() / 1000), body) });

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    expect(log).toMatch(/grant activation failed; will retry/);
    for (const secret of [h.slack.token, SIGNING_SECRET, PROVIDER_PASSWORD]) expect(log).not.toContain(secret);
  });
});
