import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, postgresAvailable, withDatabase } from '../support/databases.js';
import { visibleText } from '../support/fake-slack.js';
import { Harness } from '../support/harness.js';
import { ACTION } from '../../src/slack/ids.js';

const available = await postgresAvailable();

describe.skipIf(!available)('operations: health, metrics, Slack throttling, a revocation that keeps failing', () => {
  const h = new Harness();
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  let role: string;
  let ana: string;
  let keycardAdmin: string;

  beforeAll(async () => {
    role = await h.createRole('ro', false);
    ana = await h.createRole('ana', true);
    keycardAdmin = await h.createRole('kcadmin', true);
    // Keycard connects to the target as a role that may grant memberships (CREATEROLE), not as a superuser.
    await admin.unsafe(`ALTER ROLE "${keycardAdmin}" CREATEROLE`);
    h.slack
      .addUser({ id: 'UANA', name: 'Ana Lopez', email: `${ana}@example.com` })
      .addUser({ id: 'UBOB', name: 'Bob Stone', email: 'bob@example.com' });
    const targetUrl = new URL(withDatabase(ADMIN_URL, 'postgres'));
    targetUrl.username = keycardAdmin;
    await h.start(
      `
settings:
  security_channel: C0SEC
  revocation_alert_after: 5m
providers:
  target-pg: { kind: postgres, url: env:OPS_TARGET_URL }
resources:
  db:
    provider: target-pg
    grant: { role: ${role} }
    approvers: [UBOB]
    duration: { default: 1h, max: 2h }
`,
      { OPS_TARGET_URL: targetUrl.toString() },
    );
  });
  afterAll(async () => {
    await admin.end({ timeout: 1 });
    await h.stop();
  });

  const get = (path: string) => fetch(`http://127.0.0.1:${h.keycard.port}${path}`);

  it('answers /healthz and /readyz (database reachable, every migration applied)', async () => {
    expect(await (await get('/healthz')).text()).toBe('ok');
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ready');
  });

  let requestId: string;

  it('waits out a 429 from Slack and still posts each message exactly once', async () => {
    h.slack.throttle('chat.postMessage', 1);
    await (await h.command('UANA', 'request db 1h throttled')).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests`)).length === 1, 'request');
    requestId = (await h.sql<{ id: string }>(`SELECT id FROM requests`))[0]!.id;
    await h.keycard.scheduler.runNow('deliver-notifications');
    expect(h.slack.messagesIn('UBOB')).toHaveLength(0); // paused by Retry-After, shared through the database
    const [block] = await h.sql<{ bucket: string }>(`SELECT bucket FROM slack_rate_blocks`);
    expect(block!.bucket).toMatch(/^chat\.postMessage:/);

    h.clock.advance(2_000);
    await h.settle();
    expect(h.slack.messagesIn('UBOB')).toHaveLength(1);
    expect(h.slack.messagesIn('UANA')).toHaveLength(1);
  });

  it('alerts security once when revocation keeps failing, and revokes for real once the target recovers', async () => {
    await (await h.click('UBOB', ACTION.approve, requestId)).response;
    await h.eventually(async () => (await h.requestStatus(requestId)) === 'approved', 'approval');
    await h.settle();
    expect(await h.hasRole(ana, role)).toBe(true);

    // The target stops accepting Keycard: no new logins, open sessions ended.
    await admin.unsafe(`ALTER ROLE "${keycardAdmin}" NOLOGIN`);
    await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${keycardAdmin}`;

    h.clock.advance(3_600_000 + 1_000);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    const grant = async () => (await h.sql<{ status: string; attempts: number; alerted_at: Date | null }>(`SELECT * FROM grants`))[0]!;
    expect(await grant()).toMatchObject({ status: 'revoking', attempts: 1, alerted_at: null });
    expect(await h.hasRole(ana, role)).toBe(true);

    h.clock.advance(6 * 60_000);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    h.clock.advance(6 * 60_000);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    await h.settle();
    expect((await grant()).status).toBe('revoking'); // never marked revoked before the provider confirms
    const alerts = h.slack.messagesIn('C0SEC');
    expect(alerts).toHaveLength(1);
    expect(visibleText(alerts[0]!)).toMatch(/Access that should have ended is still there/);
    expect(visibleText(alerts[0]!)).toMatch(/<@UANA>’s access to `db`/);

    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(/keycard_revocations_stuck 1/);
    expect(metrics).toMatch(/keycard_revocation_failures_total [3-9]/);
    expect(metrics).toMatch(/keycard_grants\{status="revoking"\} 1/);
    expect(metrics).toMatch(/keycard_time_to_decision_seconds_count\{outcome="approved"\} 1/);
    expect(metrics).toMatch(/keycard_slack_api_errors_total\{method="chat.postMessage",error="ratelimited"\} 1/);
    expect(metrics).toMatch(/keycard_slack_deliveries_deferred_total\{reason="ratelimited"\} [1-9]/);
    const [{ attempts }] = (await h.sql<{ attempts: number }>(`SELECT max(attempts) AS attempts FROM outbox`)) as [{ attempts: number }];
    expect(attempts).toBe(0); // waiting for Slack's rate limit is not a failed attempt

    await admin.unsafe(`ALTER ROLE "${keycardAdmin}" LOGIN`);
    h.clock.advance(10 * 60_000);
    await h.keycard.scheduler.runNow('revoke-expired-grants');
    expect((await grant()).status).toBe('revoked');
    expect(await h.hasRole(ana, role)).toBe(false);
    expect(await (await get('/metrics')).text()).toMatch(/keycard_expiry_lag_seconds_count 1/);
  });

  it('delivers the messages that matter even when the Home tab cannot be refreshed', async () => {
    h.slack.throttle('views.publish', 1_000);
    await (await h.command('UANA', 'request db 1h home tab refused')).response;
    await h.eventually(async () => (await h.sql(`SELECT id FROM requests WHERE reason = 'home tab refused'`)).length === 1, 'the request');
    await h.settle(); // would stall on the refused views.publish if the Home tab were not best effort
    expect(h.slack.messagesIn('UBOB').some((m) => visibleText(m).includes('home tab refused'))).toBe(true);
    h.slack.throttle('views.publish', 0);
  });
});
