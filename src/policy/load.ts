import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import type { ProviderKind } from '../providers/types.js';
import type { Policy, Resource } from './policy.js';
import { compileReviews, crossCheckReviews } from './review-policy.js';
import { policySchema, type PolicyFile } from './schema.js';

/** A policy problem, naming the file, the path inside it and (where known) the line. */
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Array<{ path: string; message: string; line?: number }>,
  ) {
    super(
      `${file}: invalid policy\n${problems
        .map((p) => `  - ${p.path || '(top level)'}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`)
        .join('\n')}`,
    );
    this.name = 'PolicyError';
  }
}

export type ProviderKinds = ReadonlyMap<string, ProviderKind<unknown, unknown>>;

export function loadPolicyFile(file: string, kinds: ProviderKinds): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyError(file, [{ path: '', message: `cannot read the file: ${(error as Error).message}` }]);
  }
  return parsePolicy(text, file, kinds);
}

export function parsePolicy(text: string, file: string, kinds: ProviderKinds): Policy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0] ?? e.message, line: e.linePos?.[0]?.line })),
    );
  }
  // A missing key has no node of its own: name the line of the nearest enclosing node that exists.
  const lineOf = (path: Array<string | number>): number | undefined => {
    for (let depth = path.length; depth > 0; depth -= 1) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const problem = (path: Array<string | number>, message: string) => ({
    path: path.join('.'),
    message,
    line: lineOf(path),
  });

  const parsed = policySchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new PolicyError(
      file,
      parsed.error.issues.map((issue) => problem(issue.path as Array<string | number>, issue.message)),
    );
  }
  const problems = crossCheck(parsed.data, kinds, problem);
  if (problems.length > 0) throw new PolicyError(file, problems);
  return compile(parsed.data, file, kinds);
}

type Problem = { path: string; message: string; line?: number };
type ProblemAt = (path: Array<string | number>, message: string) => Problem;

function crossCheck(policy: PolicyFile, kinds: ProviderKinds, problem: ProblemAt): Problem[] {
  const problems: Problem[] = [];
  const checkPeople = (path: Array<string | number>, refs: readonly string[] | undefined) => {
    refs?.forEach((ref, index) => {
      if (ref.startsWith('group:') && !Object.hasOwn(policy.groups, ref.slice(6))) {
        problems.push(problem([...path, index], `unknown group "${ref.slice(6)}" (define it under groups:)`));
      }
    });
  };

  for (const [name, provider] of Object.entries(policy.providers)) {
    const kind = kinds.get(provider.kind);
    if (!kind) {
      problems.push(
        problem(['providers', name, 'kind'], `unknown provider kind "${provider.kind}" (known: ${[...kinds.keys()].join(', ')})`),
      );
      continue;
    }
    const { kind: _kind, identity: _identity, ...settings } = provider;
    // env: references are resolved later; here only their presence and shape are checked.
    const shaped = kind.configSchema.safeParse(withEnvPlaceholders(settings));
    if (!shaped.success) problems.push(...zodProblems(shaped.error, ['providers', name], problem));
  }

  for (const [name, members] of Object.entries(policy.groups)) {
    checkPeople(['groups', name], members);
    const cycle = findGroupCycle(policy.groups, name, []);
    if (cycle) problems.push(problem(['groups', name], `groups include each other in a cycle: ${cycle.join(' → ')}`));
  }

  for (const [name, resource] of Object.entries(policy.resources)) {
    const at = ['resources', name];
    // Own keys only: `provider: toString` must not find Object.prototype.toString.
    const provider = Object.hasOwn(policy.providers, resource.provider) ? policy.providers[resource.provider] : undefined;
    if (!provider) {
      problems.push(problem([...at, 'provider'], `provider "${resource.provider}" is not defined under providers:`));
    } else {
      const kind = kinds.get(provider.kind);
      const grant = kind?.grantSchema.safeParse(resource.grant);
      if (grant && !grant.success) problems.push(...zodProblems(grant.error, [...at, 'grant'], problem));
    }
    checkPeople([...at, 'owners'], resource.owners);
    checkPeople([...at, 'approvers'], resource.approvers);
    checkPeople([...at, 'requesters'], resource.requesters);
    checkPeople([...at, 'escalate_to'], resource.escalate_to);
    if (resource.escalate_after && !resource.escalate_to?.length) {
      problems.push(problem([...at, 'escalate_after'], 'needs escalate_to: who is asked on escalation'));
    }
    if (!resource.dm_approvers && !resource.approval_channel) {
      problems.push(problem([...at, 'dm_approvers'], 'approvers would never be asked: set approval_channel or keep dm_approvers'));
    }
    if (resource.break_glass && parseDuration(resource.break_glass.max) > parseDuration(resource.duration.max)) {
      problems.push(problem([...at, 'break_glass', 'max'], `longer than duration.max (${resource.duration.max})`));
    }
    if (resource.duration.max_total && parseDuration(resource.duration.max_total) < parseDuration(resource.duration.max)) {
      problems.push(problem([...at, 'duration', 'max_total'], `shorter than max (${resource.duration.max})`));
    }
    resource.auto_approve.forEach((rule, i) => checkPeople([...at, 'auto_approve', i, 'requester_in'], rule.requester_in));
    const approvers = (resource.approvers ?? ['owners']).flatMap((ref) => (ref === 'owners' ? resource.owners : [ref]));
    if (approvers.length === 0 && resource.auto_approve.length === 0) {
      problems.push(problem(at, 'nobody can approve: give approvers, owners or an auto_approve rule'));
    }
    const max = parseDuration(resource.duration.max);
    const min = resource.duration.min ? parseDuration(resource.duration.min) : 60_000;
    const def = parseDuration(resource.duration.default);
    if (def > max) problems.push(problem([...at, 'duration', 'default'], `longer than max (${resource.duration.max})`));
    if (min > def) problems.push(problem([...at, 'duration', 'min'], `longer than default (${resource.duration.default})`));
  }

  for (const [name, review] of Object.entries(policy.reviews)) {
    review.resources.forEach((resourceName, i) => {
      if (!Object.hasOwn(policy.resources, resourceName)) {
        problems.push(problem(['reviews', name, 'resources', i], `unknown resource "${resourceName}"`));
      }
    });
  }
  problems.push(...crossCheckReviews(policy, problem));
  return problems;
}

function zodProblems(error: z.ZodError, prefix: Array<string | number>, problem: ProblemAt): Problem[] {
  return error.issues.map((issue) => problem([...prefix, ...(issue.path as Array<string | number>)], issue.message));
}

/** Replaces `env:NAME` strings with a placeholder so the shape can be checked before secrets are read. */
function withEnvPlaceholders(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('env:')) return 'env-placeholder://resolved-at-start';
  if (Array.isArray(value)) return value.map(withEnvPlaceholders);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEnvPlaceholders(v)]));
  }
  return value;
}

function findGroupCycle(groups: Record<string, string[]>, name: string, trail: string[]): string[] | null {
  if (trail.includes(name)) return [...trail.slice(trail.indexOf(name)), name];
  for (const ref of Object.hasOwn(groups, name) ? groups[name]! : []) {
    if (ref.startsWith('group:')) {
      const cycle = findGroupCycle(groups, ref.slice(6), [...trail, name]);
      if (cycle) return cycle;
    }
  }
  return null;
}

function compile(file: PolicyFile, source: string, kinds: ProviderKinds): Policy {
  const requestTtlMs = parseDuration(file.settings.request_ttl);
  const resources: Record<string, Resource> = {};
  for (const [name, r] of Object.entries(file.resources)) {
    const kind = kinds.get(file.providers[r.provider]!.kind)!;
    resources[name] = {
      name,
      description: r.description ?? name,
      providerName: r.provider,
      grant: kind.grantSchema.parse(r.grant) as Record<string, unknown>,
      owners: r.owners,
      approvers: [...new Set((r.approvers ?? ['owners']).flatMap((ref) => (ref === 'owners' ? r.owners : [ref])))],
      approvals: r.approvals,
      requesters: r.requesters ?? null,
      duration: {
        defaultMs: parseDuration(r.duration.default),
        maxMs: parseDuration(r.duration.max),
        minMs: r.duration.min ? parseDuration(r.duration.min) : 60_000,
        maxTotalMs: parseDuration(r.duration.max_total ?? r.duration.max),
      },
      approvalChannel: r.approval_channel ?? null,
      dmApprovers: r.dm_approvers,
      remindAfterMs: r.remind_after ? parseDuration(r.remind_after) : null,
      escalation: r.escalate_after ? { afterMs: parseDuration(r.escalate_after), to: r.escalate_to ?? [] } : null,
      requestTtlMs: r.request_ttl ? parseDuration(r.request_ttl) : requestTtlMs,
      autoApprove: r.auto_approve.map((rule, i) => ({
        name: rule.name ?? `${name}.auto_approve[${i}]`,
        requesterIn: rule.requester_in ?? null,
        maxDurationMs: rule.max_duration ? parseDuration(rule.max_duration) : null,
        when: rule.when ?? null,
        announce: rule.announce ?? null,
      })),
      breakGlass: r.break_glass
        ? { notify: r.break_glass.notify, maxMs: parseDuration(r.break_glass.max), confirmWithinMs: parseDuration(r.break_glass.confirm_within) }
        : null,
      baseline: r.baseline,
      onDrift: r.on_drift,
    };
  }
  const providers = Object.fromEntries(
    Object.entries(file.providers).map(([name, { kind, identity, ...settings }]) => [
      name,
      { name, kind, identity, settings },
    ]),
  );
  return {
    source,
    admins: file.settings.admins,
    groups: file.groups,
    providers,
    resources,
    reviews: compileReviews(file.reviews),
    reconcileEveryMs: parseDuration(file.settings.reconcile_every),
    securityChannel: file.settings.security_channel ?? null,
    revocationAlertAfterMs: parseDuration(file.settings.revocation_alert_after),
    expiryWarningMs: parseDuration(file.settings.expiry_warning),
    signals: file.signals.map((rule, i) => ({
      name: rule.name ?? `signals[${i}]`,
      severities: rule.when.severity ?? null,
      types: rule.when.type ?? null,
      revokeGrants: rule.revoke_grants,
      freezeMs: rule.freeze_requests ? parseDuration(rule.freeze_requests) : null,
      notifySecurity: rule.notify_security,
    })),
  };
}
