import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/db.js';
import { createStore, type Store } from '../../src/store/store.js';
import { createScratchDatabase, postgresAvailable, type ScratchDatabase } from '../support/databases.js';
import { auditSuite } from './store/audit-suite.js';
import { concurrencySuite } from './store/concurrency-suite.js';
import { clearTables, type StoreContext } from './store/context.js';
import { grantsSuite } from './store/grants-suite.js';
import { outboxSuite } from './store/outbox-suite.js';
import { requestsSuite } from './store/requests-suite.js';

/** One store suite, run against both backends Keycard supports: embedded PGlite and real PostgreSQL. */
const havePostgres = await postgresAvailable();

const backends = [
  { backend: 'pglite' as const, available: true },
  { backend: 'postgres' as const, available: havePostgres },
];

describe.each(backends)('store on $backend', ({ backend, available }) => {
  let database: Database | undefined;
  let store: Store | undefined;
  let scratch: ScratchDatabase | undefined;

  const ctx: StoreContext & { url(): string } = {
    backend,
    store: () => store ?? expect.unreachable('store not open'),
    database: () => database ?? expect.unreachable('database not open'),
    url: () => scratch?.url ?? expect.unreachable('no PostgreSQL scratch database'),
  };

  describe.skipIf(!available)(available ? 'suite' : 'suite (no PostgreSQL server; skipped)', () => {
    beforeAll(async () => {
      if (backend === 'postgres') {
        scratch = await createScratchDatabase('keycard_store');
        database = await openDatabase({ url: scratch.url, dataDir: 'unused' });
      } else {
        database = await openDatabase({ dataDir: 'memory://' });
      }
      store = createStore(database);
    });

    afterAll(async () => {
      await database?.close();
      await scratch?.drop();
    });

    beforeEach(async () => {
      await clearTables(ctx.database());
    });

    it(`opens the ${backend} backend with migrations applied and reads the database clock`, async () => {
      expect(ctx.database().backend).toBe(backend);
      const now = await ctx.database().now();
      expect(Math.abs(now.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await ctx.database().migrationsPending()).toBe(0);
    });

    requestsSuite(ctx);
    grantsSuite(ctx);
    auditSuite(ctx);
    outboxSuite(ctx);
    if (backend === 'postgres') concurrencySuite(ctx);
  });
});
