import { count, eq } from 'drizzle-orm';
import pino from 'pino';
import postgres from 'postgres';
import type { AuditEntry, ChainedAuditEvent } from '../../../src/domain/audit-chain.js';
import type { Principal } from '../../../src/domain/types.js';
import { parsePolicy } from '../../../src/policy/load.js';
import type { Policy } from '../../../src/policy/policy.js';
import { closeProviders, createProviders, providerKinds, type ProviderRegistry } from '../../../src/providers/registry.js';
import type { Directory, JobName, ServiceDeps } from '../../../src/services/deps.js';
import { openDatabase, type Database } from '../../../src/store/db.js';
import { auditEvents, grants, outbox, requests } from '../../../src/store/schema.js';
import { createStore, type Store } from '../../../src/store/store.js';
import { FakeClock } from '../../support/clock.js';
import { ADMIN_URL, createScratchDatabase, uniqueName, type ScratchDatabase } from '../../support/databases.js';
import { clearTables } from '../store/context.js';

/** The Slack edge, in memory: who people are and who is in which Slack user group. */
export class FakeDirectory implements Directory {
  readonly people = new Map<string, Principal>();
  readonly usergroups = new Map<string, string[]>();

  add(slackUserId: string, email: string | null, displayName = slackUserId): Principal {
    const principal = { slackUserId, email, displayName };
    this.people.set(slackUserId, principal);
    return principal;
  }

  async principal(slackUserId: string): Promise<Principal> {
    const found = this.people.get(slackUserId);
    if (!found) throw new Error(`no Slack user ${slackUserId}`);
    return found;
  }

  async usergroupMembers(usergroupId: string): Promise<string[]> {
    return this.usergroups.get(usergroupId) ?? [];
  }
}

/** A port nothing listens on: the provider's connection is refused, a retryable failure. */
export const UNREACHABLE_PG_URL = 'postgres://postgres@127.0.0.1:1/test';

export const MIN = 60_000;
export const HOUR = 60 * MIN;

function policyYaml(p: string): string {
  return `providers:
  target-pg: { kind: postgres, url: env:TARGET_PG_URL }
groups:
  db-owners: [U0BOB, U0CAT]
resources:
  ro:
    description: Read-only on the target
    provider: target-pg
    grant: { role: ${p}_ro }
    approvers: [group:db-owners, U0ANA]
    duration: { default: 1h, max: 4h }
    request_ttl: 2h
  rw:
    provider: target-pg
    grant: { role: ${p}_rw }
    approvers: [U0BOB, U0CAT, U0DAN]
    approvals: 2
    duration: { default: 30m, max: 2h }
  restricted:
    provider: target-pg
    grant: { role: ${p}_ro }
    requesters: [usergroup:S0SRE]
    approvers: [U0BOB]
    duration: { default: 1h, max: 1h }
  lonely:
    provider: target-pg
    grant: { role: ${p}_ro }
    approvers: [U0ANA]
    duration: { default: 1h, max: 1h }
  crowd:
    provider: target-pg
    grant: { role: ${p}_rw }
    approvers: [U0AP1, U0AP2, U0AP3, U0AP4, U0AP5]
    duration: { default: 1h, max: 1h }
  oncall-ro:
    provider: target-pg
    grant: { role: ${p}_ro }
    approvers: [U0BOB]
    duration: { default: 30m, max: 4h }
    auto_approve:
      - { name: oncall, requester_in: [usergroup:S0ONCALL], max_duration: 1h }
`;
}

export interface Harness {
  /** The unique prefix of every role this file made on the target server. */
  prefix: string;
  roles: { ro: string; rw: string };
  logins: { ana: string; eve: string };
  /** The server the postgres provider grants roles on. */
  targetUrl: string;
  policy: Policy;
  clock: FakeClock;
  directory: FakeDirectory;
  store: Store;
  deps: ServiceDeps;
  woken: JobName[];
  people: { ana: Principal; eve: Principal; ghost: Principal; noEmail: Principal };
  /** The same services, with providers made from another environment (another URL for the target). */
  depsWithTarget(url: string, workerId?: string): ServiceDeps;
  isMember(login: string, role: string): Promise<boolean>;
  membersOf(role: string): Promise<string[]>;
  audit(subjectId?: string): Promise<ChainedAuditEvent[]>;
  outbox(): Promise<Array<{ kind: string; payload: Record<string, unknown> }>>;
  counts(): Promise<{ requests: number; grants: number; audit: number; outbox: number }>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  const prefix = uniqueName('kc_t');
  const roles = { ro: `${prefix}_ro`, rw: `${prefix}_rw` };
  const logins = { ana: `${prefix}_ana`, eve: `${prefix}_eve` };
  const target = postgres(ADMIN_URL, { max: 2, onnotice: () => {} });
  const created: string[] = [];
  let scratch: ScratchDatabase | undefined;
  let database: Database | undefined;
  const registries: ProviderRegistry[] = [];
  const close = async () => {
    await Promise.all(registries.map(closeProviders));
    await database?.close();
    await scratch?.drop();
    for (const role of created.reverse()) await target.unsafe(`DROP ROLE IF EXISTS "${role}"`);
    await target.end({ timeout: 1 });
  };
  try {
    for (const role of [roles.ro, roles.rw]) {
      await target.unsafe(`CREATE ROLE "${role}" NOLOGIN`);
      created.push(role);
    }
    for (const login of [logins.ana, logins.eve]) {
      await target.unsafe(`CREATE ROLE "${login}" LOGIN`);
      created.push(login);
    }
    scratch = await createScratchDatabase('keycard_services');
    database = await openDatabase({ url: scratch.url, dataDir: 'unused' });
  } catch (error) {
    await close();
    throw error;
  }
  const store = createStore(database);
  const policy = parsePolicy(policyYaml(prefix), 'services-test.yaml', providerKinds);
  const clock = new FakeClock();
  const directory = new FakeDirectory();
  const people = {
    ana: directory.add('U0ANA', `${logins.ana}@example.com`, 'Ana'),
    eve: directory.add('U0EVE', `${logins.eve}@example.com`, 'Eve'),
    ghost: directory.add('U0GHOST', `${prefix}_ghost@example.com`, 'Ghost'), // no login role on the target
    noEmail: directory.add('U0BOT', null, 'A bot with no email'),
  };
  directory.usergroups.set('S0ONCALL', ['U0EVE']);
  directory.usergroups.set('S0SRE', ['U0SRE']);
  const woken: JobName[] = [];
  const logger = pino({ level: 'silent' });

  const depsWithTarget = (url: string, workerId = 'test-worker'): ServiceDeps => {
    const providers = createProviders(policy, { TARGET_PG_URL: url });
    registries.push(providers);
    return { store, clock, policy, providers, directory, logger, wake: (job) => woken.push(job), workerId };
  };

  const select = database.db;
  return {
    prefix,
    roles,
    logins,
    targetUrl: ADMIN_URL,
    policy,
    clock,
    directory,
    store,
    deps: depsWithTarget(ADMIN_URL),
    woken,
    people,
    depsWithTarget,
    async isMember(login, role) {
      const [row] = await target<Array<{ member: boolean }>>`SELECT pg_has_role(${login}, ${role}, 'MEMBER') AS member`;
      return row!.member;
    },
    async membersOf(role) {
      const rows = await target<Array<{ member: string }>>`
        SELECT m.rolname AS member FROM pg_auth_members am
        JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
        WHERE r.rolname = ${role} ORDER BY 1`;
      return rows.map((r) => r.member);
    },
    async audit(subjectId) {
      const rows = await select
        .select()
        .from(auditEvents)
        .where(subjectId ? eq(auditEvents.subjectId, subjectId) : undefined)
        .orderBy(auditEvents.id);
      return rows as ChainedAuditEvent[];
    },
    async outbox() {
      return select.select({ kind: outbox.kind, payload: outbox.payload }).from(outbox).orderBy(outbox.id);
    },
    async counts() {
      const n = async (table: typeof requests | typeof grants | typeof auditEvents | typeof outbox) =>
        (await select.select({ n: count() }).from(table))[0]!.n;
      return { requests: await n(requests), grants: await n(grants), audit: await n(auditEvents), outbox: await n(outbox) };
    },
    async reset() {
      await clearTables(database!);
      for (const role of [roles.ro, roles.rw]) {
        await target.unsafe(`REVOKE "${role}" FROM "${logins.ana}", "${logins.eve}"`);
      }
      clock.set('2026-12-01T09:00:00.000Z');
      woken.length = 0;
    },
    close,
  };
}

/** The audit actions in order, for compact assertions. */
export function actions(events: ReadonlyArray<Pick<AuditEntry, 'action'>>): string[] {
  return events.map((e) => e.action);
}

