import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { postgresAvailable } from '../support/databases.js';
import { decideSuite } from './services/decide-suite.js';
import { expireSuite } from './services/expire-suite.js';
import { openHarness, type Harness } from './services/harness.js';
import { revokeSuite } from './services/revoke-suite.js';
import { submitSuite } from './services/submit-suite.js';

/**
 * The use cases end to end below the Slack edge: a real PostgreSQL store, the real postgres provider
 * granting real roles on a real server, a fake clock, and an in-memory directory standing in for Slack.
 */
const havePostgres = await postgresAvailable();

describe.skipIf(!havePostgres)('services on PostgreSQL with the postgres provider', () => {
  let harness: Harness | undefined;
  const h = () => harness ?? expect.unreachable('harness not open');

  beforeAll(async () => {
    harness = await openHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  beforeEach(async () => {
    await h().reset();
  });

  submitSuite(h);
  decideSuite(h);
  revokeSuite(h);
  expireSuite(h);
});
