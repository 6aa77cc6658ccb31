import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { HttpFake, header, parseJsonBody, sendJson, type Failure, type FakeRequest, type RecordedCall } from './http-fake.js';

/**
 * A fake Kubernetes API server for rbac.authorization.k8s.io/v1 bindings (vendor-api-shapes §4):
 * the RoleBinding and ClusterRoleBinding create/get/list/delete paths of §4.1–4.2, Bearer auth,
 * JSON content types, the binding object of §4.3 (roleRef and subjects checked as the API server
 * validates them), equality label selectors with limit/continue chunking (§4.5), and errors as
 * `Status` objects (§4.4).
 */

type Binding = Record<string, unknown> & { metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; [k: string]: unknown } };

const GROUP = 'rbac.authorization.k8s.io';
const BASE = `/apis/${GROUP}/v1`;
const NAMESPACED = new RegExp(`^${BASE}/namespaces/([^/]+)/rolebindings(?:/([^/]+))?$`);
const CLUSTER = new RegExp(`^${BASE}/clusterrolebindings(?:/([^/]+))?$`);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUERY = {
  create: ['pretty', 'dryRun', 'fieldManager', 'fieldValidation'],
  delete: ['pretty', 'dryRun', 'gracePeriodSeconds', 'propagationPolicy', 'ignoreStoreReadErrorWithClusterBreakingPotential', 'orphanDependents'],
  get: ['pretty'],
  list: ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'watch', 'allowWatchBookmarks', 'sendInitialEvents', 'pretty'],
};

export class KubernetesFake {
  readonly http: HttpFake;
  readonly namespaces = new Set<string>(['default']);
  /** key `${namespace}/${name}` for RoleBindings, `/${name}` for ClusterRoleBindings */
  readonly bindings = new Map<string, Binding>();
  private resourceVersion = 1000;

  /** Serves HTTPS with `tls` (client-node refuses plain HTTP unless TLS checks are turned off). */
  constructor(private readonly token: string, tls?: { key: string; cert: string }) {
    this.http = new HttpFake((req, res) => this.handle(req, res), () => true, (code) => status(code, REASONS[code] ?? 'InternalError', 'injected failure'), tls);
  }

  start(): Promise<string> {
    return this.http.start();
  }
  stop(): Promise<void> {
    return this.http.stop();
  }
  failNext(failure: Failure, when?: (call: RecordedCall) => boolean): void {
    this.http.failNext(failure, when);
  }

  private handle(req: FakeRequest, res: ServerResponse): void {
    const [scheme, token] = (header(req, 'authorization') ?? '').split(' ');
    if (scheme !== 'Bearer' || token !== this.token) return sendJson(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    if (!/application\/json/.test(header(req, 'accept') ?? '')) req.violation(`Accept is "${header(req, 'accept')}"`);

    const ns = NAMESPACED.exec(req.path);
    const cl = ns ? null : CLUSTER.exec(req.path);
    if (!ns && !cl) {
      req.violation('no such Kubernetes path');
      return sendJson(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const namespace = ns ? decodeURIComponent(ns[1]!) : undefined;
    const name = ns ? ns[2] : cl![1];
    const resource = ns ? 'rolebindings' : 'clusterrolebindings';
    const kind = ns ? 'RoleBinding' : 'ClusterRoleBinding';
    const key = (n: string) => `${namespace ?? ''}/${n}`;
    const notFound = (n: string) => sendJson(res, 404, status(404, 'NotFound', `${resource}.${GROUP} "${n}" not found`, { name: n, group: GROUP, kind: resource }));
    const op = req.method === 'POST' && !name ? 'create' : req.method === 'DELETE' && name ? 'delete' : req.method === 'GET' ? (name ? 'get' : 'list') : undefined;
    if (!op) {
      req.violation(`${req.method} on ${resource}${name ? '/<name>' : ''}`);
      return sendJson(res, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    }
    for (const param of req.query.keys()) if (!QUERY[op].includes(param)) req.violation(`unknown query parameter ${param} for ${op}`);
    if (namespace !== undefined && !this.namespaces.has(namespace)) {
      return sendJson(res, 404, status(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' }));
    }

    if (op === 'create') {
      if (!/^application\/json/.test(header(req, 'content-type') ?? '')) {
        req.violation(`Content-Type ${header(req, 'content-type')}`);
        return sendJson(res, 415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format`));
      }
      const body = parseJsonBody(req) as Binding | undefined;
      const problem = body ? this.invalid(body, kind, namespace) : 'body is not JSON';
      if (problem) {
        req.violation(problem);
        return sendJson(res, 422, status(422, 'Invalid', `${kind} "${body?.metadata?.name ?? ''}" is invalid: ${problem}`, { name: body?.metadata?.name, group: GROUP, kind }));
      }
      const n = body!.metadata.name;
      if (this.bindings.has(key(n))) return sendJson(res, 409, status(409, 'AlreadyExists', `${resource}.${GROUP} "${n}" already exists`, { name: n, group: GROUP, kind: resource }));
      const stored: Binding = {
        ...body!,
        metadata: { ...body!.metadata, ...(namespace ? { namespace } : {}), uid: randomUUID(), resourceVersion: String(++this.resourceVersion), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
      };
      this.bindings.set(key(n), stored);
      return sendJson(res, 201, stored);
    }
    if (op === 'get') {
      const found = this.bindings.get(key(decodeURIComponent(name!)));
      return found ? sendJson(res, 200, found) : notFound(decodeURIComponent(name!));
    }
    if (op === 'delete') {
      const n = decodeURIComponent(name!);
      const found = this.bindings.get(key(n));
      if (!found) return notFound(n);
      this.bindings.delete(key(n));
      // §4.4: delete answers a Success Status whose details.kind is the resource.
      return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: n, group: GROUP, kind: resource, uid: found.metadata.uid } });
    }
    return this.list(req, res, kind, namespace);
  }

  private list(req: FakeRequest, res: ServerResponse, kind: string, namespace: string | undefined): void {
    const selector = parseSelector(req.query.get('labelSelector') ?? '');
    if (!selector) return sendJson(res, 400, status(400, 'BadRequest', `unable to parse requirement: ${req.query.get('labelSelector')}`));
    const matching = [...this.bindings.entries()]
      .filter(([k]) => (namespace === undefined ? k.startsWith('/') : k.startsWith(`${namespace}/`)))
      .map(([, b]) => b)
      .filter((b) => selector.every((test) => test(b.metadata.labels ?? {})));
    const limit = Number(req.query.get('limit') ?? 0);
    const start = req.query.get('continue') ? Number(Buffer.from(req.query.get('continue')!, 'base64').toString()) : 0;
    const end = limit > 0 ? start + limit : matching.length;
    const more = end < matching.length;
    sendJson(res, 200, {
      kind: `${kind}List`,
      apiVersion: `${GROUP}/v1`,
      metadata: { resourceVersion: String(this.resourceVersion), ...(more ? { continue: Buffer.from(String(end)).toString('base64'), remainingItemCount: matching.length - end } : {}) },
      items: matching.slice(start, end),
    });
  }

  /** The checks the API server applies to a binding (§4.3); returns the first problem. */
  private invalid(b: Binding, kind: string, namespace: string | undefined): string | null {
    if (b.apiVersion !== `${GROUP}/v1`) return `apiVersion ${String(b.apiVersion)}`;
    if (b.kind !== kind) return `kind ${String(b.kind)} posted to the ${kind} collection`;
    const name = b.metadata?.name;
    if (!name || name.length > 253 || !DNS_SUBDOMAIN.test(name)) return `metadata.name "${name}"`;
    if (b.metadata.namespace !== undefined && b.metadata.namespace !== namespace) return 'metadata.namespace does not match the request';
    for (const [k, v] of Object.entries(b.metadata.labels ?? {})) {
      const [prefix, local] = k.includes('/') ? k.split('/') : [undefined, k];
      if ((prefix !== undefined && !DNS_SUBDOMAIN.test(prefix)) || !local || local.length > 63 || v.length > 63 || !LABEL_VALUE.test(v)) return `label ${k}=${v}`;
    }
    const roleRef = b.roleRef as { apiGroup?: string; kind?: string; name?: string } | undefined;
    if (!roleRef || roleRef.apiGroup !== GROUP || !roleRef.name) return 'roleRef: apiGroup, kind and name are required';
    if (kind === 'ClusterRoleBinding' ? roleRef.kind !== 'ClusterRole' : !['Role', 'ClusterRole'].includes(roleRef.kind ?? '')) return `roleRef.kind ${roleRef.kind}`;
    const subjects = b.subjects as Array<{ kind?: string; name?: string; apiGroup?: string; namespace?: string }> | undefined;
    for (const s of subjects ?? []) {
      if (!s.name) return 'subjects[].name is required';
      if (s.kind === 'ServiceAccount') {
        if ((s.apiGroup ?? '') !== '' || !s.namespace) return 'ServiceAccount subjects need namespace and an empty apiGroup';
      } else if (s.kind === 'User' || s.kind === 'Group') {
        if (s.apiGroup !== GROUP || s.namespace) return `${s.kind} subjects need apiGroup ${GROUP} and no namespace`;
      } else return `subjects[].kind ${s.kind}`;
    }
    return null;
  }
}

/** Equality-based selectors: `k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-separated (all must hold). */
function parseSelector(text: string): Array<(labels: Record<string, string>) => boolean> | null {
  if (!text) return [];
  const tests: Array<(labels: Record<string, string>) => boolean> = [];
  for (const part of text.split(',')) {
    const m = /^(!?)([\w./-]+)(?:(==|=|!=)([\w.-]*))?$/.exec(part.trim());
    if (!m) return null;
    const [, not, key, op, value] = m;
    if (!op) tests.push((l) => (not ? !(key! in l) : key! in l));
    else if (op === '!=') tests.push((l) => l[key!] !== value);
    else tests.push((l) => l[key!] === value);
  }
  return tests;
}

const REASONS: Record<number, string> = { 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** Failures as the API server sends them (§4.4), for tests and the conformance fixture. */
export const kubeFailures = {
  tooManyRequests: (seconds = 5): Failure => ({
    status: 429,
    headers: { 'retry-after': String(seconds) },
    body: status(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: seconds }),
  }),
  conflict: (): Failure => ({ status: 409, body: status(409, 'Conflict', 'Operation cannot be fulfilled on rolebindings.rbac.authorization.k8s.io "x": the object has been modified; please apply your changes to the latest version and try again') }),
  internal: (): Failure => ({ status: 500, body: status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out') }),
  timeout: (): Failure => ({ hang: true }),
  forbidden: (): Failure => ({
    status: 403,
    body: status(403, 'Forbidden', 'rolebindings.rbac.authorization.k8s.io is forbidden: User "system:serviceaccount:keycard:keycard" cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "default"', { group: GROUP, kind: 'rolebindings' }),
  }),
};
