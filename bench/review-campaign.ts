/**
 * Benchmark: a review campaign of 100,000 holders, built, defaulted at due and exported, on embedded
 * PGlite and on PostgreSQL. Each backend runs in a child process of its own so peak RSS is its own.
 *
 *   npx tsx bench/review-campaign.ts                 # both backends (PostgreSQL from TEST_DATABASE_URL)
 *   npx tsx bench/review-campaign.ts --items 20000   # a smaller run
 *
 * Figures go to BENCHMARKS.md by hand; tests never assert timings.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parsePolicy } from '../src/policy/load.js';
import { providerKinds } from '../src/providers/registry.js';
import { applyReviewDue } from '../src/services/apply-review-due.js';
import { buildReviewCampaigns } from '../src/services/build-review-campaign.js';
import { reviewItemsOf } from '../src/services/review-report.js';
import { startReview } from '../src/services/start-review.js';
import { openDatabase } from '../src/store/db.js';
import { createStore } from '../src/store/store.js';
import { FakeClock } from '../test/support/clock.js';
import { createScratchDatabase, postgresAvailable } from '../test/support/databases.js';
import { MemoryProvider, memoryKind, serviceDeps } from '../test/support/memory-provider.js';
import { reportRow } from '../src/http/review-report-routes.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const ITEMS = Number(option('items', '100000'));
const OWNERS = 20;

interface Result {
  backend: string;
  items: number;
  buildMs: number;
  dueMs: number;
  exportMs: number;
  peakRssMb: number;
  outboxRows: number;
}

async function runOne(backend: 'pglite' | 'postgres'): Promise<Result> {
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const scratch = backend === 'postgres' ? await createScratchDatabase('keycard_bench') : undefined;
  const database = await openDatabase({ url: scratch?.url, dataDir: 'memory://' });
  try {
    const store = createStore(database);
    const owners = Array.from({ length: OWNERS }, (_, i) => `U0OWNER${i}`);
    const policy = parsePolicy(
      `settings: { admins: [U0ADMIN] }
providers:
  mem: { kind: memory }
resources:
  big:
    provider: mem
    grant: { group: everyone }
    owners: [${owners.join(', ')}]
    duration: { default: 1h, max: 4h }
reviews:
  big-review:
    schedule: "0 9 1 1 *"
    resources: [big]
    due: 7d
    on_no_response: revoke
`,
      'bench.yaml',
      new Map([...providerKinds, ['memory', memoryKind as never]]),
    );
    const provider = new MemoryProvider('mem');
    provider.add({ group: 'everyone' }, Array.from({ length: ITEMS }, (_, i) => `user${String(i).padStart(6, '0')}`));
    const clock = new FakeClock('2026-12-01T09:00:00Z');
    const deps = serviceDeps({ store, policy, provider, clock, workerId: 'bench' });

    await startReview(deps, { reviewName: 'big-review', startedBy: 'U0ADMIN' });
    let t = performance.now();
    while ((await buildReviewCampaigns(deps)) === 0) {
      /* a lapsed claim would be retried; not expected here */
    }
    const buildMs = performance.now() - t;
    const [campaign] = await store.reviews.campaigns.listRecent(1);
    if (campaign!.itemCount !== ITEMS) throw new Error(`built ${campaign!.itemCount} items, expected ${ITEMS}`);
    const outboxRows = await store.outbox.pendingCount();

    clock.advance(7 * 86_400_000 + 1);
    t = performance.now();
    while ((await applyReviewDue(deps)) > 0) {
      /* each run works a bounded number of batches */
    }
    const dueMs = performance.now() - t;

    t = performance.now();
    let rows = 0;
    let bytes = 0;
    for await (const item of reviewItemsOf(deps, campaign!.id)) {
      bytes += JSON.stringify(reportRow(item)).length;
      rows += 1;
    }
    const exportMs = performance.now() - t;
    if (rows !== ITEMS || bytes === 0) throw new Error(`exported ${rows} rows`);
    return { backend, items: ITEMS, buildMs, dueMs, exportMs, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20), outboxRows };
  } finally {
    clearInterval(sample);
    await database.close();
    await scratch?.drop();
  }
}

const self = fileURLToPath(import.meta.url);
const child = option('backend', '');
if (child === 'pglite' || child === 'postgres') {
  console.log(JSON.stringify(await runOne(child)));
} else {
  const backends = ['pglite', ...((await postgresAvailable()) ? ['postgres'] : [])];
  const results: Result[] = backends.map((backend) =>
    JSON.parse(execFileSync(process.execPath, [...process.execArgv, self, '--backend', backend, '--items', String(ITEMS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!),
  );
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`| backend | items | build campaign | apply due (revoke all) | stream export | peak RSS | reviewer messages queued |`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|`);
  for (const r of results) console.log(`| ${r.backend} | ${r.items.toLocaleString('en')} | ${s(r.buildMs)} | ${s(r.dueMs)} | ${s(r.exportMs)} | ${r.peakRssMb} MB | ${r.outboxRows} |`);
}
