import { existsSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { verifyAuditLog } from '../services/verify-audit-log.js';
import { auditRepo } from '../store/audit-repo.js';
import type { Db } from '../store/db.js';

/**
 * `npm run audit:verify`: checks the audit log's hash chain and names the first broken link. Reads
 * DATABASE_URL, or the embedded database under DATA_DIR; runs no migrations and writes nothing.
 * Exit 0: intact. Exit 1: broken. Exit 2: could not check.
 */
async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = process.env.DATA_DIR || './data';
  let close: () => Promise<unknown>;
  let db: Db;
  if (url) {
    const client = postgres(url, { max: 1, onnotice: () => {} });
    db = drizzlePostgres(client) as unknown as Db;
    close = () => client.end({ timeout: 5 });
  } else {
    if (!existsSync(`${dataDir}/pglite`)) {
      console.error(`No database to check: DATABASE_URL is not set and ${dataDir}/pglite does not exist.`);
      return 2;
    }
    const client = new PGlite(`${dataDir}/pglite`);
    db = drizzlePglite(client) as unknown as Db;
    close = () => client.close();
  }
  try {
    const verdict = await verifyAuditLog(auditRepo(db));
    if (verdict.ok) {
      console.log(`Audit log intact: ${verdict.checked} events, last hash ${verdict.lastHash}.`);
      return 0;
    }
    console.error(`Audit log BROKEN at event ${verdict.brokenAt}: ${verdict.why}. ${verdict.checked} events before it are intact.`);
    return 1;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`Could not check the audit log: ${error.message}`);
    process.exit(2);
  },
);
