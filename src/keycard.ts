import type { AddressInfo, Server } from 'node:net';
import { hostname } from 'node:os';
import { WebClient } from '@slack/web-api';
import pino, { type Logger } from 'pino';
import { loadConfig } from './config.js';
import { OffsetClock, type Clock } from './domain/clock.js';
import { createMetrics } from './http/metrics.js';
import { opsRoutes } from './http/ops-routes.js';
import { httpRoutes } from './http/routes.js';
import { Scheduler } from './jobs/scheduler.js';
import { auditStreamJobs } from './jobs/audit-stream.js';
import { keycardJobs } from './jobs/jobs.js';
import { lifecycleJobs } from './jobs/lifecycle-jobs.js';
import { loadPolicyFile } from './policy/load.js';
import { identityProfileFields } from './providers/identity.js';
import { closeProviders, createProviders, providerKinds } from './providers/registry.js';
import type { ServiceDeps } from './services/deps.js';
import { withDirectoryGroups } from './services/directory-groups.js';
import { createSlackApp } from './slack/app.js';
import { SlackDirectory } from './slack/directory.js';
import { SlackNotifier } from './slack/notifier.js';
import { BudgetedWebClient } from './slack/rate-budget.js';
import { openDatabase } from './store/db.js';
import { createStore } from './store/store.js';

export interface KeycardOptions {
  env: Record<string, string | undefined>;
  /** Tests pass a fake clock; by default time follows the database's clock. */
  clock?: Clock;
  logger?: Logger;
  /** Run jobs on their cron schedules (tests may drive them with `scheduler.runNow`). Default true. */
  schedule?: boolean;
}

export interface Keycard {
  port: number;
  deps: ServiceDeps;
  scheduler: Scheduler;
  stop(): Promise<void>;
}

const CLOCK_SYNC_MS = 60_000;

/** Keycard never logs secrets on purpose; these paths catch them if an error object carries one. */
const SECRET_PATHS = ['token', '*.token', 'password', '*.password', 'secret', '*.secret', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'url', '*.url'];

/** Composition root: config → db → providers → services → Slack app, HTTP routes, scheduler. */
export async function startKeycard(options: KeycardOptions): Promise<Keycard> {
  const config = loadConfig(options.env);
  const logger = options.logger ?? pino({ level: config.LOG_LEVEL, base: { service: 'keycard' }, redact: { paths: SECRET_PATHS, censor: '[secret]' } });
  const policy = loadPolicyFile(config.POLICY_FILE, providerKinds);
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const store = createStore(database);
  const providers = createProviders(policy, options.env);

  let clockSync: NodeJS.Timeout | undefined;
  let clock = options.clock;
  if (!clock) {
    const offsetClock = new OffsetClock();
    const sync = async () => offsetClock.setReference(await database.now());
    await sync();
    clockSync = setInterval(() => void sync().catch((e: Error) => logger.warn({ err: e.message }, 'clock sync failed')), CLOCK_SYNC_MS);
    clock = offsetClock;
  }

  let scheduler: Scheduler | undefined;
  const deps: ServiceDeps = {
    store,
    clock,
    policy,
    providers,
    directory: undefined as never,
    logger,
    wake: (job) => scheduler?.wake(job),
    workerId: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
    leaseMs: config.JOB_LEASE_SECONDS * 1000,
  };
  const metrics = createMetrics(store);
  deps.metrics = metrics;
  const slackClient = new WebClient(config.SLACK_BOT_TOKEN, { slackApiUrl: config.SLACK_API_URL });
  deps.directory = withDirectoryGroups(new SlackDirectory(slackClient, { profileFields: identityProfileFields(policy.providers) }), store);
  const routes = httpRoutes({ database, api: { config, deps } });
  routes.push(...opsRoutes({ database, registry: metrics.registry }));
  const app = createSlackApp({ config, deps, logger, routes, client: slackClient });

  // Deliveries draw on a rate budget shared by all replicas and fail fast when it is spent, so the
  // outbox, not this process, waits out Slack's limits.
  const notifierClient = new BudgetedWebClient(config.SLACK_BOT_TOKEN, { slackApiUrl: config.SLACK_API_URL }, store.slackRate, clock, metrics.slackApiError);
  scheduler = new Scheduler([...keycardJobs(deps, new SlackNotifier(notifierClient, deps, clock)), ...auditStreamJobs(config, deps), ...lifecycleJobs(deps)], logger);
  if (options.schedule !== false) scheduler.start();

  // HTTP mode returns the server (its port matters when PORT=0); Socket Mode returns the socket's state.
  const started = (await app.start(config.PORT)) as unknown as Partial<Server> | undefined;
  const port = typeof started?.address === 'function' ? ((started.address() as AddressInfo | null)?.port ?? config.PORT) : config.PORT;
  logger.info({ port, database: database.backend, policy: config.POLICY_FILE, resources: Object.keys(policy.resources).length }, 'Keycard started');

  return {
    port,
    deps,
    scheduler,
    async stop() {
      clearInterval(clockSync);
      await scheduler!.stop();
      await app.stop();
      await closeProviders(providers);
      await database.close();
    },
  };
}
