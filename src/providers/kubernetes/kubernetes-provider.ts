import { KubeConfig, Observable, RbacAuthorizationV1Api, type ConfigurationOptions, type RequestContext, type V1RoleBinding } from '@kubernetes/client-node';
import { z } from 'zod';
import { parseSpec } from '../spec.js';
import { ProviderError, type Provider, type ProviderKind } from '../types.js';
import { bindingFor, identityOf, isSameGrant, MANAGER, roleSelector, subjectFor, type BindingTarget } from './bindings.js';
import { classifyKubeError, isKubeApiError, statusOf } from './kube-errors.js';

const configSchema = z
  .strictObject({
    server: z.string().min(1).optional().describe('API server URL, e.g. https://k8s.example.com:6443'),
    token: z.string().min(1).optional().describe('Bearer token of Keycard’s service account; write env:VAR'),
    ca_data: z.string().min(1).optional().describe('Base64 PEM of the cluster CA (certificate-authority-data)'),
    skip_tls_verify: z.boolean().default(false).describe('Only for test clusters'),
    in_cluster: z.boolean().default(false).describe('Use the pod’s own service account (Keycard runs in the cluster)'),
    kubeconfig: z.string().min(1).optional().describe('Path of a kubeconfig file'),
    context: z.string().min(1).optional().describe('Context to use from the kubeconfig'),
    timeout_ms: z.number().int().min(100).max(60_000).default(10_000).describe('Per-request timeout'),
  })
  .refine((c) => [c.server !== undefined, c.in_cluster, c.kubeconfig !== undefined].filter(Boolean).length === 1, {
    message: 'give exactly one of server (with token), in_cluster: true, or kubeconfig',
  })
  .refine((c) => c.server === undefined || c.token !== undefined, { message: 'server needs a token', path: ['token'] });

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const grantSchema = z
  .strictObject({
    namespace: z.string().regex(dnsLabel, { message: 'must be a namespace name' }).max(63).optional().describe('Bind in this namespace (RoleBinding); without it, cluster-wide (ClusterRoleBinding)'),
    role: z.string().min(1).describe('Name of the Role or ClusterRole to bind'),
    role_kind: z.enum(['Role', 'ClusterRole']).optional().describe('Role (default with a namespace) or ClusterRole'),
    subject_kind: z.enum(['User', 'Group', 'ServiceAccount']).default('User').describe('ServiceAccount identities are system:serviceaccount:<ns>:<name>'),
  })
  .refine((g) => g.namespace !== undefined || g.role_kind !== 'Role', { message: 'a Role can only be bound in a namespace', path: ['role_kind'] })
  .transform((g): BindingTarget => ({ ...g, role_kind: g.role_kind ?? (g.namespace ? 'Role' : 'ClusterRole') }));

type Config = z.infer<typeof configSchema>;

/**
 * Grants a Kubernetes Role or ClusterRole by creating one RoleBinding (namespaced) or
 * ClusterRoleBinding (cluster-wide) per grant, named and labelled deterministically from the identity
 * and role (bindings.ts). Grant is a create where "already exists" with the same subject and role is
 * success; revoke is a delete where "not found" is success; holders are the subjects of Keycard's
 * bindings for the role, found by label selector. Bindings made by anyone else are neither listed
 * nor touched.
 */
export class KubernetesProvider implements Provider {
  readonly kind = 'kubernetes';
  private readonly rbac: RbacAuthorizationV1Api;

  constructor(readonly name: string, private readonly config: Config) {
    this.rbac = kubeConfig(config).makeApiClient(RbacAuthorizationV1Api);
  }

  async grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    const target = parseSpec(grantSchema, spec, 'kubernetes');
    const doing = `bind ${target.role_kind} ${target.role}${where(target)} to ${target.subject_kind} ${identity}`;
    const subject = subjectFor(identity, target.subject_kind);
    if (!subject) throw new ProviderError(`Kubernetes: cannot ${doing}: a ServiceAccount identity must read system:serviceaccount:<namespace>:<name>`, { retryable: false });
    const body = bindingFor(identity, subject, target, this.name);
    await this.call(doing, async () => {
      try {
        await this.create(target, body);
      } catch (error) {
        // §4.4: a 409 on create is AlreadyExists (a bare 409 on POST means the same); Conflict stays retryable.
        if (!isKubeApiError(error) || error.code !== 409 || (statusOf(error).reason ?? 'AlreadyExists') !== 'AlreadyExists') throw error;
        // Held, if the object by that name is this very grant (roleRef is immutable, §4.3).
        const existing = await this.read(target, body.metadata!.name!).catch((readError: unknown) => {
          if (isKubeApiError(readError) && readError.code === 404) throw new ProviderError(`Kubernetes: ${doing}: the binding was deleted while granting`, { retryable: true });
          throw readError;
        });
        if (!isSameGrant(existing, body)) {
          throw new ProviderError(`Kubernetes: cannot ${doing}: a binding named ${body.metadata!.name} exists and is not Keycard’s for this grant`, { retryable: false });
        }
      }
    });
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    const target = parseSpec(grantSchema, spec, 'kubernetes');
    const subject = subjectFor(identity, target.subject_kind);
    if (!subject) return; // no binding can exist for an identity that has no subject form
    const name = bindingFor(identity, subject, target, this.name).metadata!.name!;
    await this.call(`remove the binding of ${target.role_kind} ${target.role}${where(target)} from ${identity}`, async () => {
      try {
        if (target.namespace) await this.rbac.deleteNamespacedRoleBinding({ name, namespace: target.namespace }, this.options());
        else await this.rbac.deleteClusterRoleBinding({ name }, this.options());
      } catch (error) {
        if (!isKubeApiError(error) || error.code !== 404) throw error; // NotFound: already gone
      }
    });
  }

  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const target = parseSpec(grantSchema, spec, 'kubernetes');
    return this.call(`list who holds ${target.role_kind} ${target.role}${where(target)}`, async () => {
      const holders = new Set<string>();
      let token: string | undefined;
      do {
        // §4.5: chunked listing with limit/continue, filtered by label on the server.
        const query = { labelSelector: roleSelector(target), limit: 500, ...(token ? { _continue: token } : {}) };
        const page = target.namespace
          ? await this.rbac.listNamespacedRoleBinding({ namespace: target.namespace, ...query }, this.options())
          : await this.rbac.listClusterRoleBinding(query, this.options());
        for (const binding of page.items) {
          if (binding.roleRef.kind !== target.role_kind || binding.roleRef.name !== target.role) continue;
          for (const s of binding.subjects ?? []) if (s.kind === target.subject_kind) holders.add(identityOf(s));
        }
        token = page.metadata?._continue || undefined;
      } while (token);
      return [...holders].sort();
    });
  }

  async close(): Promise<void> {}

  private async create(target: BindingTarget, body: V1RoleBinding): Promise<void> {
    if (target.namespace) await this.rbac.createNamespacedRoleBinding({ namespace: target.namespace, body, fieldManager: MANAGER }, this.options());
    else await this.rbac.createClusterRoleBinding({ body, fieldManager: MANAGER }, this.options());
  }

  private async read(target: BindingTarget, name: string): Promise<V1RoleBinding> {
    return target.namespace
      ? this.rbac.readNamespacedRoleBinding({ name, namespace: target.namespace }, this.options())
      : this.rbac.readClusterRoleBinding({ name }, this.options());
  }

  /** Per-call options: client-node has no timeout setting, so a middleware gives each request an abort signal. */
  private options(): ConfigurationOptions {
    const timeoutMs = this.config.timeout_ms;
    return {
      middleware: [
        {
          pre: (context: RequestContext) => {
            context.setSignal(AbortSignal.timeout(timeoutMs));
            return new Observable(Promise.resolve(context));
          },
          post: (response) => new Observable(Promise.resolve(response)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  private async call<T>(doing: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw classifyKubeError(error, doing);
    }
  }
}

function where(t: BindingTarget): string {
  return t.namespace ? ` in namespace ${t.namespace}` : ' cluster-wide';
}

/** A kubeconfig built in code from the provider settings (or loaded, for in_cluster/kubeconfig). */
function kubeConfig(config: Config): KubeConfig {
  const kc = new KubeConfig();
  if (config.in_cluster) {
    kc.loadFromCluster();
  } else if (config.kubeconfig) {
    kc.loadFromFile(config.kubeconfig);
    if (config.context) kc.setCurrentContext(config.context);
  } else {
    // client-node refuses plain HTTP unless TLS checks are off; say so at start-up, not on the first grant.
    if (config.server!.startsWith('http://') && !config.skip_tls_verify) throw new Error('server must be an https:// URL');
    kc.loadFromOptions({
      clusters: [{ name: 'target', server: config.server!, skipTLSVerify: config.skip_tls_verify, ...(config.ca_data ? { caData: config.ca_data } : {}) }],
      users: [{ name: 'keycard', token: config.token! }],
      contexts: [{ name: 'keycard', cluster: 'target', user: 'keycard' }],
      currentContext: 'keycard',
    });
  }
  return kc;
}

export const kubernetesKind: ProviderKind<Config, BindingTarget> = {
  kind: 'kubernetes',
  configSchema,
  grantSchema,
  create: (name, config) => new KubernetesProvider(name, config),
};
