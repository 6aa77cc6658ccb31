import { auditRepo } from './audit-repo.js';
import type { Database, Db } from './db.js';
import { directoryRepo } from './directory-repo.js';
import { grantsRepo } from './grants-repo.js';
import { messagesRepo } from './messages-repo.js';
import { driftRepo } from './drift-repo.js';
import { reviewsStore } from './reviews-store.js';
import { revocationsRepo } from './revocations-repo.js';
import { outboxRepo } from './outbox-repo.js';
import { requestsRepo } from './requests-repo.js';
import { signalsRepo } from './signals-repo.js';
import { seenRequestsRepo } from './seen-requests-repo.js';
import { slackRateRepo } from './slack-rate-repo.js';

function repositories(db: Db) {
  return {
    requests: requestsRepo(db),
    grants: grantsRepo(db),
    audit: auditRepo(db),
    outbox: outboxRepo(db),
    messages: messagesRepo(db),
    reviews: reviewsStore(db),
    revocations: revocationsRepo(db),
    drift: driftRepo(db),
    directory: directoryRepo(db),
    signals: signalsRepo(db),
    slackRate: slackRateRepo(db),
    seenRequests: seenRequestsRepo(db),
  };
}

export type Repositories = ReturnType<typeof repositories>;

/** The repositories, plus a way to run several of them in one transaction. */
export interface Store extends Repositories {
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  database: Database;
}

export function createStore(database: Database): Store {
  return {
    ...repositories(database.db),
    database,
    transaction: (work) => database.db.transaction((tx) => work(repositories(tx as unknown as Db))),
  };
}
