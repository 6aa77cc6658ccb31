import type { CustomRoute } from '@slack/bolt';
import type { Config } from '../config.js';
import type { ServiceDeps } from '../services/deps.js';
import { auditExportRoute } from './audit-export-route.js';
import { RefusalAuditor } from './refusals.js';
import { reviewReportRoute } from './review-report-routes.js';
import { scimRoutes } from './scim/scim-routes.js';
import { signalsRoute } from './signals-route.js';

/** The token-protected APIs; each is off (404) until its token is set. */
export function apiRoutes(config: Config, deps: ServiceDeps): CustomRoute[] {
  const refusals = new RefusalAuditor(deps);
  return [
    ...(config.SCIM_TOKEN ? scimRoutes({ token: config.SCIM_TOKEN, deps, refusals }) : []),
    ...(config.SIGNALS_TOKEN ? [signalsRoute({ token: config.SIGNALS_TOKEN, deps, refusals })] : []),
    ...(config.AUDIT_TOKEN ? [auditExportRoute({ token: config.AUDIT_TOKEN, deps, refusals })] : []),
    ...(config.REPORTS_TOKEN ? [reviewReportRoute({ token: config.REPORTS_TOKEN, deps, refusals })] : []),
  ];
}
