/** Action, view and block ids: the contract between the Block Kit builders and the listeners. */
export const ACTION = {
  approve: 'request_approve',
  deny: 'request_deny',
  pickResource: 'request_pick_resource',
  cancel: 'request_cancel',
  extend: 'grant_extend',
  release: 'grant_release',
  revoke: 'grant_revoke',
  confirmBreakGlass: 'break_glass_confirm',
  requestAgain: 'request_again',
  homeRequest: 'home_request',
} as const;

export const VIEW = {
  request: 'access_request_modal',
  denyReason: 'access_deny_reason_modal',
  extend: 'access_extend_modal',
  revokeReason: 'access_revoke_reason_modal',
} as const;

export const BLOCK = {
  resource: 'resource',
  duration: 'duration',
  reason: 'reason',
  denyReason: 'deny_reason',
  decision: 'decision',
  requesterActions: 'requester_actions',
  review: 'break_glass_review',
  revokeReason: 'revoke_reason',
  home: 'home',
} as const;
