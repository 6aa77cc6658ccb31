import { createHash } from 'node:crypto';
import type { RbacV1Subject as V1Subject, V1RoleBinding } from '@kubernetes/client-node';

/**
 * Pure parts of the kubernetes provider: what a grant's binding is called, how it is labelled, and
 * what it contains. One binding per (identity, role) grant, so revoking one grant deletes exactly its
 * own binding and never touches bindings someone else made.
 */

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER = 'keycard';
/** Hash of (role kind, role, namespace): every Keycard binding for one entitlement carries the same value. */
export const ROLE_LABEL = 'keycard/role';
/** Hash of the whole grant (subject + role): unique per binding. */
export const GRANT_LABEL = 'keycard/grant';
export const IDENTITY_ANNOTATION = 'keycard/identity';

export interface BindingTarget {
  namespace?: string | undefined;
  role: string;
  role_kind: 'Role' | 'ClusterRole';
  subject_kind: 'User' | 'Group' | 'ServiceAccount';
}

/** Label values must be ≤ 63 characters of [A-Za-z0-9._-]: identities (emails) and role names are hashed. */
function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 20);
}

export function roleKey(t: BindingTarget): string {
  return hash(t.role_kind, t.role, t.namespace ?? '');
}

export function grantKey(identity: string, t: BindingTarget): string {
  return hash(t.subject_kind, identity, t.role_kind, t.role, t.namespace ?? '');
}

/** `keycard-<role>-<hash>`: readable in `kubectl get rolebindings`, unique by the hash. */
export function bindingName(identity: string, t: BindingTarget): string {
  const role = t.role.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `keycard-${role ? `${role}-` : ''}${grantKey(identity, t).slice(0, 16)}`;
}

export function roleSelector(t: BindingTarget): string {
  return `${MANAGED_BY}=${MANAGER},${ROLE_LABEL}=${roleKey(t)}`;
}

const SERVICE_ACCOUNT = /^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

/**
 * The RBAC subject for an identity. A ServiceAccount is written as the username Kubernetes gives it,
 * `system:serviceaccount:<namespace>:<name>`, so that it reads back the same from listHolders.
 */
export function subjectFor(identity: string, kind: BindingTarget['subject_kind']): V1Subject | null {
  if (kind !== 'ServiceAccount') return { kind, name: identity, apiGroup: RBAC_GROUP };
  const sa = SERVICE_ACCOUNT.exec(identity);
  return sa ? { kind, name: sa[3]!, namespace: sa[1]!, apiGroup: '' } : null;
}

export function identityOf(subject: V1Subject): string {
  return subject.kind === 'ServiceAccount' ? `system:serviceaccount:${subject.namespace}:${subject.name}` : subject.name;
}

/** The binding object (§4.3); a ClusterRoleBinding when the grant has no namespace. */
export function bindingFor(identity: string, subject: V1Subject, t: BindingTarget, provider: string): V1RoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: t.namespace ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: {
      name: bindingName(identity, t),
      ...(t.namespace ? { namespace: t.namespace } : {}),
      labels: { [MANAGED_BY]: MANAGER, [ROLE_LABEL]: roleKey(t), [GRANT_LABEL]: grantKey(identity, t) },
      annotations: { [IDENTITY_ANNOTATION]: identity, 'keycard/provider': provider },
    },
    subjects: [subject],
    roleRef: { apiGroup: RBAC_GROUP, kind: t.role_kind, name: t.role },
  };
}

/** True when an existing binding is the one this grant would have made (same subject and role). */
export function isSameGrant(existing: V1RoleBinding, wanted: V1RoleBinding): boolean {
  const labels = existing.metadata?.labels ?? {};
  const sameSubject = (existing.subjects ?? []).some((s) => s.kind === wanted.subjects![0]!.kind && identityOf(s) === identityOf(wanted.subjects![0]!));
  return (
    labels[MANAGED_BY] === MANAGER &&
    existing.roleRef.kind === wanted.roleRef.kind &&
    existing.roleRef.name === wanted.roleRef.name &&
    sameSubject
  );
}
