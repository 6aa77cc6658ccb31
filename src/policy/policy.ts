import type { IdentityRule } from './schema.js';

/** A person reference from the policy, already split by kind. */
export type PersonRef =
  | { type: 'user'; id: string }
  | { type: 'usergroup'; id: string }
  | { type: 'group'; name: string };

export interface AutoApproveRule {
  name: string;
  requesterIn: string[] | null;
  maxDurationMs: number | null;
}

/** A resource as the services use it: durations in milliseconds, the grant block validated. */
export interface Resource {
  name: string;
  description: string;
  providerName: string;
  grant: Record<string, unknown>;
  owners: string[];
  approvers: string[];
  approvals: number;
  requesters: string[] | null;
  duration: { defaultMs: number; maxMs: number; minMs: number };
  requestTtlMs: number;
  autoApprove: AutoApproveRule[];
  breakGlass: { notify: string } | null;
}

export interface ProviderInstance {
  name: string;
  kind: string;
  identity: IdentityRule | undefined;
  /** Settings as written, `env:` references unresolved (they are resolved when the provider is created). */
  settings: Record<string, unknown>;
}

export interface Policy {
  source: string;
  admins: string[];
  groups: Record<string, string[]>;
  providers: Record<string, ProviderInstance>;
  resources: Record<string, Resource>;
}
