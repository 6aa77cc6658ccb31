import { applyReviewDue } from '../services/apply-review-due.js';
import { buildReviewCampaigns } from '../services/build-review-campaign.js';
import { closeReviewCampaigns } from '../services/close-review-campaigns.js';
import type { ServiceDeps } from '../services/deps.js';
import { reconcileDrift } from '../services/reconcile-drift.js';
import { remindReviewers } from '../services/remind-reviewers.js';
import { revokeStandingAccess } from '../services/revoke-standing-access.js';
import { scheduleReviewCampaigns } from '../services/schedule-review-campaigns.js';
import type { Job } from './job.js';

/**
 * Access reviews and drift. Each job is safe on every replica: schedule windows and drift windows are
 * claimed by unique keys, builds and revocations by leases, and every step by compare-and-set.
 */
export function reviewJobs(deps: ServiceDeps): Job[] {
  return [
    { name: 'schedule-review-campaigns', schedule: '0 * * * * *', run: () => scheduleReviewCampaigns(deps) },
    { name: 'build-review-campaigns', schedule: '*/10 * * * * *', run: () => buildReviewCampaigns(deps) },
    {
      name: 'advance-review-campaigns',
      schedule: '*/30 * * * * *',
      run: async () => {
        await applyReviewDue(deps);
        await remindReviewers(deps);
        await closeReviewCampaigns(deps);
      },
    },
    { name: 'revoke-standing-access', schedule: '*/5 * * * * *', run: () => revokeStandingAccess(deps) },
    // Every minute; the run itself happens once per settings.reconcile_every window.
    { name: 'reconcile-drift', schedule: '30 * * * * *', run: () => reconcileDrift(deps) },
  ];
}
