import { parsePolicy } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/policy.js';
import { providerKinds } from '../../src/providers/registry.js';

/** The policy from DESIGN.md, with a few more resources for evaluation tests. Lines matter: tests name them. */
export const SAMPLE_POLICY = `providers:
  prod-pg: { kind: postgres, url: env:PROD_PG_URL }
  stage-pg:
    kind: postgres
    url: env:STAGE_PG_URL
    identity: { from: slack_user_id }
groups:
  db-owners: [U0AAA, U0BBB]
  sre: [group:db-owners, U0SRE1, usergroup:S0ONCALL]
resources:
  prod-db-readonly:
    description: Production database, read-only
    provider: prod-pg
    grant: { role: prod_readonly }
    owners: [group:db-owners]
    approvers: [group:db-owners, usergroup:S0SRE]
    approvals: 1
    duration: { default: 1h, max: 4h }
    auto_approve:
      - { requester_in: [usergroup:S0ONCALL], max_duration: 1h }
    break_glass: { notify: C0SECURITY }
  prod-db-write:
    provider: prod-pg
    grant: { role: prod_write }
    owners: [group:db-owners]
    approvals: 2
    requesters: [group:sre]
    duration: { default: 30m, max: 2h, min: 90s }
    request_ttl: 2h
  stage-db:
    provider: stage-pg
    grant: { role: stage_rw }
    approvers: [U0AAA]
    duration: { default: 2h, max: 1d }
    auto_approve:
      - name: stage-anyone
reviews:
  quarterly-prod:
    schedule: "0 9 1 */3 *"
    resources: [prod-db-readonly]
    reviewer: owners
    due: 7d
    remind_every: 1d
    on_no_response: revoke
`;

export function samplePolicy(text = SAMPLE_POLICY): Policy {
  return parsePolicy(text, 'access.yaml', providerKinds);
}
