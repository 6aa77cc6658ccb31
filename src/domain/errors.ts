/**
 * Every refusal Keycard can give, as one code union. Edges (Slack, HTTP) translate codes into words;
 * the domain and services never format text for people beyond `message`, which is for logs and tests.
 */
export type DomainErrorCode =
  /** The named resource is not in the policy file. `details.suggestions` lists close names. */
  | 'unknown_resource'
  /** A duration could not be parsed (`30m`, `2h`, `1d`, `90s`). */
  | 'invalid_duration'
  /** The requested duration is longer than the resource's maximum. */
  | 'duration_too_long'
  /** The requested duration is shorter than the resource's minimum. */
  | 'duration_too_short'
  /** A request must say why. */
  | 'reason_required'
  /** The reason is longer than approvers can be asked to read. `details.maxLength`. */
  | 'reason_too_long'
  /** The policy does not let this person request this resource. */
  | 'not_allowed_to_request'
  /** The provider has no identity for this person (no email, no mapping). */
  | 'unmapped_identity'
  /** No request with this id. */
  | 'request_not_found'
  /** No grant with this id. */
  | 'grant_not_found'
  /** The request was already decided (approved, denied, cancelled or expired). */
  | 'already_decided'
  /** The person clicking is not an approver of this request. */
  | 'not_an_approver'
  /** A requester can never approve their own request. */
  | 'self_approval'
  /** This approver already voted on this request. */
  | 'already_voted'
  /** The principal already has a pending request for the same resource. */
  | 'duplicate_request'
  /** No review named so in the policy. `details.suggestions` lists close names. */
  | 'unknown_review'
  /** Only Keycard admins (settings.admins) may do this. */
  | 'not_an_admin'
  /** A campaign of this review is already running. */
  | 'review_running'
  /** No such review campaign or review item. */
  | 'review_not_found'
  /** The campaign no longer takes decisions (past due, or closed). */
  | 'review_closed'
  /** The review item is assigned to another reviewer. */
  | 'not_your_review_item'
  /** The review item was already decided. */
  | 'review_item_decided'
  /** Nobody reviews their own access. */
  | 'self_review'
  /** Nobody could approve this request (no approvers resolved besides the requester). */
  | 'no_approvers'
  /** Only the requester may do this to a request (cancel it). */
  | 'not_requester'
  /** Only the holder may do this to a grant (release it, extend it). */
  | 'not_holder'
  /** The grant is not active (not yet granted, or already ended). */
  | 'grant_not_active'
  /** Only the resource's owners or Keycard admins may do this. */
  | 'not_authorized'
  /** The resource has no break-glass path. */
  | 'break_glass_not_allowed'
  /** An extension would make the grant run past the resource's longest total time. */
  | 'extension_too_long'
  /** A short id matched more than one request or grant. */
  | 'ambiguous_id'
  /** New requests from this person are refused for now (a security signal, or they are being offboarded). `details.until` is null while offboarded. */
  | 'requests_frozen'
  /** A signal or lookup named a person Keycard cannot find in Slack or the directory. */
  | 'unknown_principal'
  /** A signal with this id was already received: a replay. */
  | 'signal_replayed'
  /** Only Keycard admins (settings.admins) may read the audit log in Slack. */
  | 'audit_admins_only';

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: DomainErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
