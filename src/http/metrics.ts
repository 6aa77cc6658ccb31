import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../services/deps.js';
import type { Store } from '../store/store.js';

export interface KeycardMetrics extends Metrics {
  registry: Registry;
  slackApiError(method: string, error: string): void;
}

/**
 * Prometheus metrics. Counts the database holds (requests by status, grants by status, the outbox
 * backlog) are read when scraped, so every replica reports the same truth; events seen by this
 * process (decisions, revocation lag, failures, Slack errors) are counted where they happen.
 */
export function createMetrics(store: Store): KeycardMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'keycard_process_' });

  new Gauge({
    name: 'keycard_requests',
    help: 'Access requests by status (outcome)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [status, n] of Object.entries(await store.requests.countByStatus())) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'keycard_grants',
    help: 'Grants by status; active is the access held right now',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [status, n] of Object.entries((await store.grants.countByStatus()).byStatus)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'keycard_revocations_stuck',
    help: 'Grants whose revocation has kept failing past the alert threshold',
    registers: [registry],
    async collect() {
      this.set((await store.grants.countByStatus()).stuck);
    },
  });
  new Gauge({
    name: 'keycard_outbox_pending',
    help: 'Slack notifications committed but not yet delivered',
    registers: [registry],
    async collect() {
      this.set(await store.outbox.pendingCount());
    },
  });
  const timeToDecision = new Histogram({
    name: 'keycard_time_to_decision_seconds',
    help: 'From request to approval or denial',
    labelNames: ['outcome'],
    buckets: [10, 60, 300, 900, 3_600, 4 * 3_600, 24 * 3_600],
    registers: [registry],
  });
  const expiryLag = new Histogram({
    name: 'keycard_expiry_lag_seconds',
    help: 'From a grant’s expiry to the provider confirming its revocation',
    buckets: [1, 5, 10, 30, 60, 300, 900, 3_600],
    registers: [registry],
  });
  const revocationFailures = new Counter({ name: 'keycard_revocation_failures_total', help: 'Failed revocation attempts (each is retried)', registers: [registry] });
  const slackErrors = new Counter({
    name: 'keycard_slack_api_errors_total',
    help: 'Slack Web API calls that failed, by method and error (ratelimited ones are retried by the outbox)',
    labelNames: ['method', 'error'],
    registers: [registry],
  });

  const deliveriesDeferred = new Counter({
    name: 'keycard_slack_deliveries_deferred_total',
    help: 'Slack deliveries postponed: ratelimited (waiting out Retry-After or the shared budget), retry (after a failure), abandoned (given up)',
    labelNames: ['reason'],
    registers: [registry],
  });

  return {
    registry,
    requestDecided: (outcome, waitedMs) => timeToDecision.observe({ outcome }, waitedMs / 1000),
    grantRevoked: (lagMs) => expiryLag.observe(Math.max(0, lagMs) / 1000),
    revocationFailed: () => revocationFailures.inc(),
    slackApiError: (method, error) => slackErrors.inc({ method, error }),
    notificationDeferred: (reason) => deliveriesDeferred.inc({ reason }),
  };
}
