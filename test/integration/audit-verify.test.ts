import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/services/verify-audit-log.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { createStore, type Store } from '../../src/store/store.js';
import { createScratchDatabase, postgresAvailable, uniqueName, type ScratchDatabase } from '../support/databases.js';

const run = promisify(execFile);
const available = await postgresAvailable();

/** Runs `npm run audit:verify`'s script against a database; resolves with its exit code and output. */
async function auditVerify(url: string, env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'src/cli/audit-verify.ts'], { env: { ...process.env, DATABASE_URL: url, ...env }, cwd: process.cwd() });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe.skipIf(!available)('audit log: append-only, tamper-evident, verifiable', () => {
  let scratch: ScratchDatabase;
  let database: Database;
  let store: Store;
  let superuser: postgres.Sql;

  beforeAll(async () => {
    scratch = await createScratchDatabase('keycard_audit');
    database = await openDatabase({ url: scratch.url, dataDir: 'unused' });
    store = createStore(database);
    superuser = postgres(scratch.url, { max: 1, onnotice: () => {} });
    const at = new Date('2026-12-01T10:00:00Z');
    for (let i = 1; i <= 5; i++) {
      await store.audit.append({ at: new Date(at.getTime() + i * 1000), actor: 'U0ANA', action: 'request.submitted', subjectType: 'request', subjectId: `r${i}`, data: { reason: `reason ${i}` } });
    }
  });

  afterAll(async () => {
    await superuser?.end({ timeout: 1 });
    await database?.close();
    await scratch?.drop();
  });

  it('verifies an intact log, in-process and with npm run audit:verify', async () => {
    expect(await verifyAuditLog(store.audit)).toMatchObject({ ok: true, checked: 5 });
    const { code, output } = await auditVerify(scratch.url);
    expect(code).toBe(0);
    expect(output).toMatch(/intact: 5 events/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE through the trigger, even for the owner', async () => {
    await expect(superuser`UPDATE audit_events SET actor = 'UEVE' WHERE id = 2`).rejects.toThrow(/append-only/);
    await expect(superuser`DELETE FROM audit_events WHERE id = 2`).rejects.toThrow(/append-only/);
    await expect(superuser`TRUNCATE audit_events`).rejects.toThrow(/append-only/);
  });

  it('a dedicated role given only SELECT and INSERT cannot change rows even without the trigger', async () => {
    const role = uniqueName('kc_app');
    await superuser.unsafe(`CREATE ROLE "${role}" NOLOGIN`);
    try {
      // What docs/audit.md tells operators to run for Keycard's role.
      await superuser.unsafe(`GRANT SELECT, INSERT ON audit_events TO "${role}"`);
      await superuser.unsafe(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM "${role}"`);
      await expect(
        superuser.begin(async (tx) => {
          await tx.unsafe(`SET LOCAL ROLE "${role}"`);
          await tx.unsafe(`UPDATE audit_events SET actor = 'UEVE' WHERE id = 2`);
        }),
      ).rejects.toThrow(/permission denied/);
    } finally {
      await superuser.unsafe(`DROP OWNED BY "${role}"`);
      await superuser.unsafe(`DROP ROLE "${role}"`);
    }
  });

  it('names the first broken link when a row is edited by hand (trigger disabled by a superuser)', async () => {
    await superuser.begin(async (tx) => {
      await tx.unsafe('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await tx.unsafe(`UPDATE audit_events SET data = '{"reason":"nothing to see"}'::jsonb WHERE id = 3`);
      await tx.unsafe('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    });
    expect(await verifyAuditLog(store.audit)).toMatchObject({ ok: false, brokenAt: 3, checked: 2, why: expect.stringMatching(/edited/) });
    const { code, output } = await auditVerify(scratch.url);
    expect(code).toBe(1);
    expect(output).toMatch(/BROKEN at event 3/);
  });

  it('names a deleted link by the event after it', async () => {
    await superuser.begin(async (tx) => {
      await tx.unsafe('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await tx.unsafe(`UPDATE audit_events SET data = '{"reason":"reason 3"}'::jsonb WHERE id = 3`); // repair the edit above
      await tx.unsafe('DELETE FROM audit_events WHERE id = 4');
      await tx.unsafe('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    });
    expect(await verifyAuditLog(store.audit)).toMatchObject({ ok: false, brokenAt: 5, why: expect.stringMatching(/prev_hash/) });
  });
});


describe('audit:verify on the embedded database (DATA_DIR)', () => {
  it('checks the PGlite database under DATA_DIR when DATABASE_URL is not set, and says when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keycard-audit-'));
    try {
      const database = await openDatabase({ dataDir: dir });
      const store = createStore(database);
      await store.audit.append({ at: new Date('2026-12-01T10:00:00Z'), actor: 'system', action: 'grant.expired', subjectType: 'grant', subjectId: 'g1', data: {} });
      await database.close();
      const intact = await auditVerify('', { DATA_DIR: dir });
      expect(intact).toMatchObject({ code: 0, output: expect.stringMatching(/intact: 1 events/) });
      expect((await auditVerify('', { DATA_DIR: join(dir, 'nothing-here') })).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
