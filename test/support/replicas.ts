import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino, { type Logger } from 'pino';
import postgres from 'postgres';
import type { Clock } from '../../src/domain/clock.js';
import { startKeycard, type Keycard } from '../../src/keycard.js';
import { ADMIN_URL, createScratchDatabase, uniqueName, type ScratchDatabase } from './databases.js';
import { FakeSlack } from './fake-slack.js';
import { SIGNING_SECRET } from './harness.js';
import { blockActionBody, sendSigned, slashCommandBody, viewSubmissionBody, type SlackTarget } from './slack-requests.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TSX_LOADER = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(REPO, 'src/main.ts');

/** Every child replica any ReplicaSet started, so none outlives the test run even if cleanup is skipped. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** A Keycard replica running as its own process (`node --import tsx src/main.ts`), as in production. */
export class ChildReplica {
  readonly logs: Array<Record<string, unknown>> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port = 0;

  constructor(readonly name: string, private readonly proc: ChildProcess) {
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => liveChildren.delete(proc));
    let buffered = '';
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) this.logs.push(parseLogLine(line));
    });
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.logs.push({ msg: chunk, stderr: true }));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Leases name the worker `<host>:<pid>:<random>`. */
  owns(leaseOwner: string | null): boolean {
    return leaseOwner?.startsWith(`${hostname()}:${this.pid}:`) ?? false;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.proc.kill(signal);
  }

  async started(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = this.logs.find((l) => l.msg === 'Keycard started');
      if (line) {
        this.port = Number(line.port);
        return;
      }
      if (!this.alive) break;
      await sleep(50);
    }
    this.signal('SIGKILL');
    throw new Error(`replica ${this.name} did not start:\n${this.logText()}`);
  }

  logText(): string {
    return this.logs.map((l) => JSON.stringify(l)).join('\n');
  }
}

function parseLogLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { msg: line };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Several Keycard replicas on one PostgreSQL database and one fake Slack: in this process (startKeycard
 * called once per replica) or as child processes that can be killed. Everything it makes (database,
 * roles, temp dir, processes) is removed by `stop`, which runs every step even when one fails.
 */
export class ReplicaSet {
  readonly slack = new FakeSlack();
  readonly prefix = uniqueName('kc_chaos');
  readonly keycards: Keycard[] = [];
  readonly children: ChildReplica[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'keycard-chaos-'));
  db?: ScratchDatabase;
  databaseUrl = '';
  private env: Record<string, string> = {};
  private admin = postgres(ADMIN_URL, { max: 2, onnotice: () => {} });
  private roles: string[] = [];

  /** Starts the fake Slack, makes a scratch database (unless one is given) and writes the policy. */
  async prepare(policyYaml: string, env: Record<string, string> = {}, options: { databaseUrl?: string } = {}): Promise<this> {
    await this.slack.start();
    if (options.databaseUrl) {
      this.databaseUrl = options.databaseUrl;
    } else {
      this.db = await createScratchDatabase('keycard_chaos');
      this.databaseUrl = this.db.url;
    }
    const policyFile = join(this.dir, 'access.yaml');
    writeFileSync(policyFile, policyYaml);
    this.env = {
      SLACK_BOT_TOKEN: this.slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: this.slack.apiUrl,
      DATABASE_URL: this.databaseUrl,
      PORT: '0',
      POLICY_FILE: policyFile,
      JOB_LEASE_SECONDS: '5',
      ...env,
    };
    return this;
  }

  /** Starts `count` replicas in this process at the same moment (as a deploy would), real cron on. */
  async startInProcess(count: number, options: { clock?: Clock; logger?: Logger; schedule?: boolean } = {}): Promise<Keycard[]> {
    const logger = options.logger ?? pino({ level: process.env.KEYCARD_TEST_LOG ?? 'silent' });
    const started = await Promise.allSettled(
      Array.from({ length: count }, () => startKeycard({ env: this.env, clock: options.clock, logger, schedule: options.schedule ?? true })),
    );
    for (const result of started) if (result.status === 'fulfilled') this.keycards.push(result.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return this.keycards;
  }

  /** Starts one replica as a child process; resolves once it listens. */
  async spawn(name: string, env: Record<string, string> = {}): Promise<ChildReplica> {
    const proc = spawn(process.execPath, ['--import', TSX_LOADER, MAIN], {
      cwd: this.dir, // no stray .env is read
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? this.dir, LOG_LEVEL: 'info', ...this.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(proc);
    const child = new ChildReplica(name, proc);
    this.children.push(child);
    await child.started(30_000);
    return child;
  }

  /** Where replica `i` takes Slack requests: in-process replicas first, then children. */
  target(i: number): SlackTarget {
    const ports = [...this.keycards.map((k) => k.port), ...this.children.filter((c) => c.alive).map((c) => c.port)];
    const port = ports[i % ports.length]!;
    return { url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, teamId: this.slack.teamId };
  }

  command(replica: number, userId: string, text: string, responseName = `cmd-${Math.random().toString(36).slice(2)}`) {
    const target = this.target(replica);
    return { responseName, response: sendSigned(target, slashCommandBody(target, { userId, text, responseUrl: this.slack.responseUrl(responseName) })) };
  }

  click(replica: number, userId: string, actionId: string, value: string, responseName = `click-${Math.random().toString(36).slice(2)}`) {
    const target = this.target(replica);
    return { responseName, response: sendSigned(target, blockActionBody(target, { userId, actionId, value, responseUrl: this.slack.responseUrl(responseName) })) };
  }

  submitView(replica: number, userId: string, callbackId: string, values: Record<string, Record<string, unknown>>, privateMetadata?: string) {
    const target = this.target(replica);
    return sendSigned(target, viewSubmissionBody(target, { userId, callbackId, values, privateMetadata }));
  }

  /** A PostgreSQL role on the shared server, unique to this run and dropped by `stop`. */
  async createRole(name: string, login: boolean): Promise<string> {
    const role = `${this.prefix}_${name}`;
    await this.admin.unsafe(`CREATE ROLE "${role}" ${login ? 'LOGIN' : 'NOLOGIN'}`);
    this.roles.push(role);
    return role;
  }

  /** Members of `role` on the shared server. */
  async membersOf(role: string): Promise<string[]> {
    const rows = await this.admin<{ rolname: string }[]>`
      SELECT m.rolname FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
      WHERE r.rolname = ${role} ORDER BY m.rolname`;
    return rows.map((r) => r.rolname);
  }

  async sql<T extends Record<string, unknown>>(query: string): Promise<T[]> {
    const sql = postgres(this.databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
    try {
      return (await sql.unsafe(query)) as unknown as T[];
    } finally {
      await sql.end({ timeout: 1 });
    }
  }

  /** Polls until `check` holds; fails naming `what` at the deadline. */
  async eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000, everyMs = 50): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(everyMs);
    }
  }

  async stop(): Promise<void> {
    const steps: Array<() => Promise<unknown>> = [
      ...this.children.map((c) => async () => {
        c.signal('SIGKILL');
        await Promise.race([c.exited, sleep(5_000)]);
      }),
      ...this.keycards.map((k) => () => k.stop()),
      () => this.slack.stop(),
      ...this.roles.reverse().map((role) => () => this.admin.unsafe(`DROP ROLE IF EXISTS "${role}"`)),
      () => this.admin.end({ timeout: 1 }),
      async () => this.db?.drop(),
      async () => rmSync(this.dir, { recursive: true, force: true }),
    ];
    const errors: unknown[] = [];
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}
