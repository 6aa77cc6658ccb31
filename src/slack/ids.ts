/** Action, view and block ids: the contract between the Block Kit builders and the listeners. */
export const ACTION = {
  approve: 'request_approve',
  deny: 'request_deny',
  pickResource: 'request_pick_resource',
} as const;

export const VIEW = {
  request: 'access_request_modal',
  denyReason: 'access_deny_reason_modal',
} as const;

export const BLOCK = {
  resource: 'resource',
  duration: 'duration',
  reason: 'reason',
  denyReason: 'deny_reason',
  decision: 'decision',
} as const;
