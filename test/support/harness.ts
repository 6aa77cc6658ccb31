import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import postgres from 'postgres';
import { startKeycard, type Keycard } from '../../src/keycard.js';
import { FakeClock } from './clock.js';
import { ADMIN_URL, createScratchDatabase, uniqueName, type ScratchDatabase } from './databases.js';
import { FakeSlack } from './fake-slack.js';
import { blockActionBody, sendSigned, slashCommandBody, viewSubmissionBody, type SlackTarget } from './slack-requests.js';

export const SIGNING_SECRET = 'e2e-signing-secret';

/**
 * Keycard running for real: the Bolt app on an ephemeral port, a scratch PostgreSQL database, the
 * fake Slack Web API, and a real PostgreSQL target with roles made for this test (dropped after).
 */
export class Harness {
  readonly slack = new FakeSlack();
  readonly clock = new FakeClock(new Date());
  readonly prefix = uniqueName('kc_e2e');
  keycard!: Keycard;
  target!: SlackTarget;
  db!: ScratchDatabase;
  private admin = postgres(ADMIN_URL, { max: 2, onnotice: () => {} });
  private dir = mkdtempSync(join(tmpdir(), 'keycard-e2e-'));
  private roles: string[] = [];

  /** A role name unique to this run. */
  role(name: string): string {
    return `${this.prefix}_${name}`;
  }

  async createRole(name: string, login: boolean): Promise<string> {
    const role = this.role(name);
    await this.admin.unsafe(`CREATE ROLE "${role}" ${login ? 'LOGIN' : 'NOLOGIN'}`);
    this.roles.push(role);
    return role;
  }

  async hasRole(member: string, role: string): Promise<boolean> {
    const rows = await this.admin`
      SELECT 1 FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
      WHERE r.rolname = ${role} AND m.rolname = ${member}`;
    return rows.length > 0;
  }

  async start(policyYaml: string, env: Record<string, string> = {}, options: { logger?: Logger } = {}): Promise<this> {
    await this.slack.start();
    this.db = await createScratchDatabase('keycard_e2e');
    const policyFile = join(this.dir, 'access.yaml');
    writeFileSync(policyFile, policyYaml);
    this.keycard = await startKeycard({
      env: {
        SLACK_BOT_TOKEN: this.slack.token,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: this.slack.apiUrl,
        DATABASE_URL: this.db.url,
        PORT: '0',
        POLICY_FILE: policyFile,
        TARGET_PG_URL: ADMIN_URL,
        ...env,
      },
      clock: this.clock,
      logger: options.logger ?? pino({ level: process.env.KEYCARD_TEST_LOG ?? 'silent' }),
      schedule: false,
    });
    this.target = { url: `http://127.0.0.1:${this.keycard.port}/slack/events`, signingSecret: SIGNING_SECRET, teamId: this.slack.teamId };
    return this;
  }

  command(userId: string, text: string, responseName = `cmd-${Math.random().toString(36).slice(2)}`) {
    return { responseName, response: sendSigned(this.target, slashCommandBody(this.target, { userId, text, responseUrl: this.slack.responseUrl(responseName) })) };
  }

  click(userId: string, actionId: string, value: string, responseName = `click-${Math.random().toString(36).slice(2)}`) {
    return { responseName, response: sendSigned(this.target, blockActionBody(this.target, { userId, actionId, value, responseUrl: this.slack.responseUrl(responseName) })) };
  }

  submitView(userId: string, callbackId: string, values: Record<string, Record<string, unknown>>, privateMetadata?: string) {
    return sendSigned(this.target, viewSubmissionBody(this.target, { userId, callbackId, values, privateMetadata }));
  }

  /** Polls an async condition; listeners run after Slack's ack, so effects land shortly after the response. */
  async eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async requestStatus(requestId: string): Promise<string | undefined> {
    const rows = await this.sql<{ status: string }>(`SELECT status FROM requests WHERE id = '${requestId}'`);
    return rows[0]?.status;
  }

  /** Waits until the outbox is empty, so every committed notification has reached the fake Slack. */
  async settle(): Promise<void> {
    const { scheduler, deps } = this.keycard;
    for (let i = 0; i < 50; i++) {
      await scheduler.runNow('activate-grants');
      await scheduler.runNow('deliver-notifications');
      if ((await deps.store.outbox.pendingCount()) === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('notifications did not settle');
  }

  async sql<T extends Record<string, unknown>>(query: string): Promise<T[]> {
    const sql = postgres(this.db.url, { max: 1, onnotice: () => {} });
    try {
      return (await sql.unsafe(query)) as unknown as T[];
    } finally {
      await sql.end({ timeout: 1 });
    }
  }

  async stop(): Promise<void> {
    await this.keycard?.stop();
    await this.slack.stop();
    for (const role of this.roles.reverse()) await this.admin.unsafe(`DROP ROLE IF EXISTS "${role}"`);
    await this.admin.end({ timeout: 1 });
    await this.db?.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
