/** The scheduled jobs of access reviews and drift checks (see src/jobs/review-jobs.ts). */
export type ReviewJobName =
  | 'schedule-review-campaigns'
  | 'build-review-campaigns'
  | 'advance-review-campaigns'
  | 'revoke-standing-access'
  | 'reconcile-drift';
