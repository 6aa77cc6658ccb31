import type { Policy } from '../policy/policy.js';
import type { ProviderKinds } from '../policy/load.js';
import { awsKind } from './aws/aws-provider.js';
import { githubKind } from './github/github-provider.js';
import { kubernetesKind } from './kubernetes/kubernetes-provider.js';
import { oktaKind } from './okta/okta-provider.js';
import { mysqlKind } from './mysql/mysql-provider.js';
import { postgresKind } from './postgres/postgres-provider.js';
import { redisKind } from './redis/redis-provider.js';
import { webhookKind } from './webhook/webhook-provider.js';
import type { Provider, ProviderKind } from './types.js';

/** Every provider kind Keycard knows, by the `kind:` written in access.yaml. */
export const providerKinds: ProviderKinds = new Map<string, ProviderKind<unknown, unknown>>(
  [postgresKind, githubKind, mysqlKind, oktaKind, redisKind, awsKind, webhookKind, kubernetesKind].map((k) => [k.kind, k as ProviderKind<unknown, unknown>]),
);

export class ProviderConfigError extends Error {
  override name = 'ProviderConfigError';
}

export type ProviderRegistry = ReadonlyMap<string, Provider>;

/** Creates one provider per instance in the policy, reading `env:NAME` settings from the environment. */
export function createProviders(
  policy: Policy,
  env: Record<string, string | undefined>,
  kinds: ProviderKinds = providerKinds,
): ProviderRegistry {
  const registry = new Map<string, Provider>();
  for (const instance of Object.values(policy.providers)) {
    const kind = kinds.get(instance.kind);
    if (!kind) throw new ProviderConfigError(`providers.${instance.name}: unknown provider kind "${instance.kind}"`);
    const settings = resolveEnv(instance.settings, env, `providers.${instance.name}`);
    const parsed = kind.configSchema.safeParse(settings);
    if (!parsed.success) {
      throw new ProviderConfigError(
        `providers.${instance.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    registry.set(instance.name, kind.create(instance.name, parsed.data));
  }
  return registry;
}

export function resolveEnv(value: unknown, env: Record<string, string | undefined>, path: string): unknown {
  if (typeof value === 'string' && value.startsWith('env:')) {
    const name = value.slice(4);
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      throw new ProviderConfigError(`${path}: environment variable ${name} is not set`);
    }
    return resolved;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnv(v, env, `${path}.${i}`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnv(v, env, `${path}.${k}`)]));
  }
  return value;
}

export async function closeProviders(registry: ProviderRegistry): Promise<void> {
  await Promise.allSettled([...registry.values()].map((p) => p.close()));
}
