import type { AccessRequest, Approval, Grant } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';

export interface RequestDetails {
  request: AccessRequest;
  votes: Approval[];
  grant: Grant | null;
  description: string;
  /** What approving grants, in words: `prod-pg: role=prod_readonly`. */
  grantSummary: string;
  /** Where copies go, from the policy as it stands. */
  routing: {
    dmApprovers: boolean;
    approvalChannel: string | null;
    /** A channel told of this request because an auto-approval rule or break-glass says so. */
    announce: string | null;
    /** Break-glass: who is asked to confirm it. */
    reviewers: string[];
  };
}

/** Everything needed to show a request as it stands now. */
export async function describeRequest(deps: Pick<ServiceDeps, 'store' | 'policy'>, requestId: string): Promise<RequestDetails | null> {
  const request = await deps.store.requests.findById(requestId);
  if (!request) return null;
  const [votes, ownGrant] = await Promise.all([deps.store.requests.votes(request.id), deps.store.grants.findByRequest(request.id)]);
  // An extension shows the grant it extends.
  const grant = ownGrant ?? (request.grantId ? await deps.store.grants.findById(request.grantId) : null);
  const resource = deps.policy.resources[request.resource];
  const rule = resource?.autoApprove.find((r) => r.name === request.autoApprovedBy);
  const spec = grant?.spec ?? resource?.grant ?? {};
  const providerName = grant?.providerName ?? resource?.providerName ?? 'unknown provider';
  return {
    request,
    votes,
    grant,
    description: resource?.description ?? request.resource,
    grantSummary: `${Object.entries(spec).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')} on ${providerName} as ${request.identity}`,
    routing: {
      dmApprovers: resource?.dmApprovers ?? true,
      approvalChannel: resource?.approvalChannel ?? null,
      announce: request.kind === 'break_glass' ? (resource?.breakGlass?.notify ?? null) : (rule?.announce ?? null),
      reviewers: request.kind === 'break_glass' ? (resource?.owners ?? []) : [],
    },
  };
}
