import type { ServiceDeps } from '../services/deps.js';
import { recheckGrants } from '../services/recheck-grants.js';
import type { Job } from './job.js';

/** Movers' safety net: every ten minutes, the next batch of holders is checked against the policy. */
export function lifecycleJobs(deps: ServiceDeps): Job[] {
  let after = '';
  return [
    {
      name: 'recheck-grants',
      schedule: '0 */10 * * * *',
      run: async () => {
        after = await recheckGrants(deps, { after });
      },
    },
  ];
}
