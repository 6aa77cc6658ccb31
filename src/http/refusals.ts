import type { ServiceDeps } from '../services/deps.js';
import { recordRefusal, type Refusal } from '../services/record-refusal.js';

const WINDOW_MS = 1_000;

/**
 * Audits refused attempts at the edges (bad Slack signatures, bad SCIM, signal or audit tokens). A flood
 * from one address writes at most one event a second per kind; each event says how many it stands for,
 * so the log stays complete in count without letting unauthenticated traffic fill it.
 */
export class RefusalAuditor {
  private readonly recent = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly deps: Pick<ServiceDeps, 'store' | 'clock' | 'logger'>,
    private readonly now: () => number = Date.now,
  ) {}

  record(refusal: Refusal, source: string): void {
    const key = `${refusal.action}|${source}`;
    const seen = this.recent.get(key);
    const now = this.now();
    if (seen && now - seen.at < WINDOW_MS) {
      seen.suppressed += 1;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.recent.set(key, { at: now, suppressed: 0 });
    if (this.recent.size > 10_000) this.recent.clear();
    const data = { ...refusal.data, source, ...(suppressed > 0 ? { alsoRefusedSinceLast: suppressed } : {}) };
    recordRefusal(this.deps, { ...refusal, data }).catch((error: Error) => this.deps.logger.error({ err: error.message, action: refusal.action }, 'could not audit a refused request'));
  }
}
