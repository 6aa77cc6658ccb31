import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bindingFor, bindingName } from '../../../src/providers/kubernetes/bindings.js';
import { kubernetesKind, KubernetesProvider } from '../../../src/providers/kubernetes/kubernetes-provider.js';
import { KubernetesFake, kubeFailures } from '../../support/fakes/kubernetes-fake.js';
import { selfSignedLocalhost } from '../../support/fakes/tls.js';
import { providerConformance, providerFailure, type ConformanceFixture } from './conformance.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.keycard-sa-token';
const TLS = selfSignedLocalhost();

async function startFake(): Promise<KubernetesFake> {
  const fake = new KubernetesFake(TOKEN, TLS);
  await fake.start();
  fake.namespaces.add('payments');
  return fake;
}

function provider(fake: KubernetesFake, extra: Record<string, unknown> = {}): KubernetesProvider {
  return new KubernetesProvider('k8s', kubernetesKind.configSchema.parse({
      server: fake.http.url,
      token: TOKEN,
      ca_data: Buffer.from(TLS.cert).toString('base64'), // trust the fake's CA, as certificate-authority-data does
      timeout_ms: 2_000,
      ...extra,
    }),);
}

function target(name: string, spec: Record<string, unknown>, identity: string, other: string) {
  return {
    name,
    available: async () => true,
    async setup(): Promise<ConformanceFixture> {
      const fake = await startFake();
      const p = provider(fake);
      // Another holder of the same role, which the steps must not disturb.
      await p.grant(other, spec);
      return {
        provider: p,
        identity,
        spec,
        injectRetryable: async () => fake.failNext(kubeFailures.tooManyRequests()),
        injectPermanent: async () => fake.failNext(kubeFailures.forbidden()),
        async teardown() {
          await p.close();
          await fake.stop();
          expect(fake.http.violations).toEqual([]);
        },
      };
    },
  };
}

providerConformance(target('kubernetes (RoleBinding in a namespace)', { namespace: 'payments', role: 'pod-reader' }, 'ana@example.com', 'sam@example.com'));
providerConformance(target('kubernetes (ClusterRoleBinding)', { role: 'view' }, 'ana@example.com', 'sam@example.com'));
providerConformance(target('kubernetes (ServiceAccount subject)', { namespace: 'payments', role: 'edit', role_kind: 'ClusterRole', subject_kind: 'ServiceAccount' }, 'system:serviceaccount:ci:deployer', 'system:serviceaccount:ci:builder'));

describe('kubernetes specifics', () => {
  let fake: KubernetesFake;
  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(async () => {
    await fake.stop();
  });
  afterEach(() => {
    expect(fake.http.violations).toEqual([]);
  });

  const spec = { namespace: 'payments', role: 'pod-reader' };

  it('creates a labelled RoleBinding with the documented shape', async () => {
    await provider(fake).grant('ana@example.com', spec);
    const post = fake.http.callsTo('POST', /rolebindings$/).at(-1)!;
    expect(post.path).toBe('/apis/rbac.authorization.k8s.io/v1/namespaces/payments/rolebindings');
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const body = JSON.parse(post.body);
    expect(body).toMatchObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: bindingName('ana@example.com', { ...spec, role_kind: 'Role', subject_kind: 'User' }), namespace: 'payments', labels: { 'app.kubernetes.io/managed-by': 'keycard' }, annotations: { 'keycard/identity': 'ana@example.com' } },
      subjects: [{ kind: 'User', name: 'ana@example.com', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'Role', name: 'pod-reader', apiGroup: 'rbac.authorization.k8s.io' },
    });
    expect(post.query.get('fieldManager')).toBe('keycard');
    await provider(fake).revoke('ana@example.com', spec);
  });

  it('lists holders only from Keycard bindings for that role, by label selector', async () => {
    const p = provider(fake);
    await p.grant('ana@example.com', spec);
    await p.grant('bo@example.com', { ...spec, role: 'secret-reader' });
    fake.bindings.set('payments/hand-made', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
      metadata: { name: 'hand-made', namespace: 'payments' },
      subjects: [{ kind: 'User', name: 'cy@example.com', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'Role', name: 'pod-reader', apiGroup: 'rbac.authorization.k8s.io' },
    });
    expect(await p.listHolders(spec)).toEqual(['ana@example.com']);
    expect(fake.http.callsTo('GET', /rolebindings$/).at(-1)!.query.get('labelSelector')).toMatch(/^app\.kubernetes\.io\/managed-by=keycard,keycard\/role=[0-9a-f]{20}$/);
    await p.revoke('ana@example.com', spec);
    await p.revoke('bo@example.com', { ...spec, role: 'secret-reader' });
    expect(fake.bindings.has('payments/hand-made')).toBe(true);
  });

  it('follows continue tokens across chunks', async () => {
    // Seeded directly (as Keycard would have made them): 503 grants through HTTPS would only be slow.
    const view = { role: 'view', role_kind: 'ClusterRole', subject_kind: 'User' } as const;
    const many = Array.from({ length: 503 }, (_, i) => `user${i}@example.com`);
    for (const who of many) {
      const b = bindingFor(who, { kind: 'User', name: who, apiGroup: 'rbac.authorization.k8s.io' }, view, 'k8s');
      fake.bindings.set(`/${b.metadata!.name}`, b as never);
    }
    const holders = await provider(fake).listHolders({ role: 'view' });
    expect(holders).toHaveLength(503);
    const lists = fake.http.callsTo('GET', /clusterrolebindings$/);
    expect(lists.at(-1)!.query.get('continue')).toBeTruthy();
    for (const key of [...fake.bindings.keys()]) if (key.startsWith('/')) fake.bindings.delete(key);
  });

  it('classifies 429 TooManyRequests with Retry-After as retryable', async () => {
    fake.failNext(kubeFailures.tooManyRequests(9));
    const error = await providerFailure(provider(fake).grant('ana@example.com', spec));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(9_000);
    expect(error.message).toMatch(/TooManyRequests/);
  });

  it('classifies a 409 Conflict (not AlreadyExists), 500 and a timeout as retryable', async () => {
    fake.failNext(kubeFailures.conflict());
    expect((await providerFailure(provider(fake).grant('ana@example.com', spec))).retryable).toBe(true);
    fake.failNext(kubeFailures.internal());
    expect((await providerFailure(provider(fake).revoke('ana@example.com', spec))).retryable).toBe(true);
    fake.failNext(kubeFailures.timeout());
    expect((await providerFailure(provider(fake, { timeout_ms: 300 }).listHolders(spec))).retryable).toBe(true);
    await provider(fake).revoke('ana@example.com', spec);
  });

  it('classifies Forbidden, an unknown namespace and a wrong token as permanent', async () => {
    fake.failNext(kubeFailures.forbidden());
    expect((await providerFailure(provider(fake).grant('ana@example.com', spec))).retryable).toBe(false);
    const missing = await providerFailure(provider(fake).grant('ana@example.com', { namespace: 'nowhere', role: 'pod-reader' }));
    expect(missing.retryable).toBe(false);
    expect(missing.message).toMatch(/namespace does not exist/);
    const unauthorized = await providerFailure(provider(fake, { token: 'wrong' }).listHolders(spec));
    expect(unauthorized.retryable).toBe(false);
  });

  it('refuses to treat someone else’s binding with the same name as held', async () => {
    const name = bindingName('ana@example.com', { ...spec, role_kind: 'Role', subject_kind: 'User' });
    fake.bindings.set(`payments/${name}`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: 'payments' },
      subjects: [{ kind: 'User', name: 'mallory@example.com', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'Role', name: 'pod-reader', apiGroup: 'rbac.authorization.k8s.io' },
    });
    const error = await providerFailure(provider(fake).grant('ana@example.com', spec));
    expect(error.retryable).toBe(false);
    fake.bindings.delete(`payments/${name}`);
  });

  it('validates grant blocks and config', () => {
    expect(kubernetesKind.grantSchema.safeParse({ role: 'pod-reader', role_kind: 'Role' }).success).toBe(false); // a Role needs a namespace
    expect(kubernetesKind.grantSchema.parse({ namespace: 'payments', role: 'edit' })).toMatchObject({ role_kind: 'Role', subject_kind: 'User' });
    expect(kubernetesKind.grantSchema.parse({ role: 'view' })).toMatchObject({ role_kind: 'ClusterRole' });
    // The loader stores the parsed block; parsing it again must give the same thing.
    const once = kubernetesKind.grantSchema.parse({ role: 'view' });
    expect(kubernetesKind.grantSchema.parse(once)).toEqual(once);
    expect(kubernetesKind.configSchema.safeParse({ server: 'https://k8s.example.com' }).success).toBe(false);
    expect(kubernetesKind.configSchema.safeParse({ in_cluster: true, server: 'https://k8s.example.com', token: 't' }).success).toBe(false);
    expect(() => kubernetesKind.create('plain', kubernetesKind.configSchema.parse({ server: 'http://k8s.example.com', token: 't' }))).toThrow(/https/);
  });
});
