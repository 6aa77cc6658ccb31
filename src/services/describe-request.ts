import type { AccessRequest, Approval, Grant } from '../domain/types.js';
import type { ServiceDeps } from './deps.js';

export interface RequestDetails {
  request: AccessRequest;
  votes: Approval[];
  grant: Grant | null;
  description: string;
  /** What approving grants, in words: `prod-pg: role=prod_readonly`. */
  grantSummary: string;
}

/** Everything needed to show a request as it stands now. */
export async function describeRequest(deps: Pick<ServiceDeps, 'store' | 'policy'>, requestId: string): Promise<RequestDetails | null> {
  const request = await deps.store.requests.findById(requestId);
  if (!request) return null;
  const [votes, grant] = await Promise.all([deps.store.requests.votes(request.id), deps.store.grants.findByRequest(request.id)]);
  const resource = deps.policy.resources[request.resource];
  const spec = grant?.spec ?? resource?.grant ?? {};
  const providerName = grant?.providerName ?? resource?.providerName ?? 'unknown provider';
  return {
    request,
    votes,
    grant,
    description: resource?.description ?? request.resource,
    grantSummary: `${Object.entries(spec).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')} on ${providerName} as ${request.identity}`,
  };
}
