import { DomainError, isDomainError } from '../domain/errors.js';
import type { Grant } from '../domain/types.js';
import { matchSignalRule } from '../policy/signals.js';
import type { ServiceDeps } from './deps.js';
import { endGrantsNow } from './end-grants-now.js';
import { slackIdsOf } from './find-person.js';
import { notify } from './notifications.js';
import { endedGrant, type EndedGrant } from './security-notice.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SignalInput {
  /** The sender's id for this alert; a second delivery of the same id is refused as a replay. */
  signalId: string;
  principal: { email?: string; slackUserId?: string };
  severity: Severity;
  type: string;
  summary: string;
  /** The authenticated sender, `api:signals`. */
  actor: string;
}

export interface SignalOutcome {
  signalId: string;
  slackUserIds: string[];
  /** The policy rule that applied; null when none matched (the signal is only recorded). */
  rule: string | null;
  grantsEnded: EndedGrant[];
  frozenUntil: Date | null;
  securityNotified: boolean;
}

/**
 * A monitoring alert about a person changes their access as the policy's `signals:` rules say: their
 * grants end now, new requests are refused for a while, security is told. All of it, and the signal
 * itself, is recorded in one transaction; a replayed or unattributable signal is refused and audited.
 */
export async function applySignal(deps: ServiceDeps, input: SignalInput): Promise<SignalOutcome> {
  const { store, clock, policy } = deps;
  const now = clock.now();
  try {
    const slackUserIds = await slackIdsOf(deps, { slackUserId: input.principal.slackUserId, email: input.principal.email });
    if (input.principal.slackUserId && !(await knownSlackUser(deps, input.principal.slackUserId))) slackUserIds.splice(0);
    if (slackUserIds.length === 0) {
      throw new DomainError('unknown_principal', `no Slack user for ${input.principal.email ?? input.principal.slackUserId}`, { principal: input.principal });
    }
    const rule = matchSignalRule(policy, { severity: input.severity, type: input.type });
    const outcome = await store.transaction(async (tx) => {
      if (!(await tx.signals.recordReceipt(input.signalId, now))) {
        throw new DomainError('signal_replayed', `signal ${input.signalId} was already received`, { signalId: input.signalId });
      }
      await tx.audit.append({
        at: now,
        actor: input.actor,
        action: 'signal.received',
        subjectType: 'principal',
        subjectId: slackUserIds[0]!,
        data: { signalId: input.signalId, slackUserIds, severity: input.severity, type: input.type, summary: input.summary, rule: rule?.name ?? null },
      });
      let ended: Grant[] = [];
      if (rule?.revokeGrants) {
        const reason = `security signal: ${input.type} (${input.severity})`;
        for (const id of slackUserIds) {
          const held = await tx.grants.listByHolder(id, ['pending', 'active']);
          ended = ended.concat(await endGrantsNow(tx, held, { actor: input.actor, reason, action: 'grant.revoked_by_signal', now }));
        }
      }
      const frozenUntil = rule?.freezeMs ? new Date(now.getTime() + rule.freezeMs) : null;
      if (frozenUntil) {
        for (const id of slackUserIds) {
          await tx.signals.freeze({ slackUserId: id, cause: 'signal', reason: `security signal ${input.signalId}: ${input.type}`, until: frozenUntil }, now);
          await tx.audit.append({ at: now, actor: input.actor, action: 'principal.frozen', subjectType: 'principal', subjectId: id, data: { signalId: input.signalId, until: frozenUntil.toISOString() } });
        }
      }
      const grantsEnded = ended.map(endedGrant);
      const securityNotified = !!(rule?.notifySecurity && policy.securityChannel);
      if (securityNotified) {
        const person = input.principal.email ?? `<@${slackUserIds[0]}>`;
        await notify(
          tx,
          {
            kind: 'security.notice',
            channel: policy.securityChannel!,
            notice: { type: 'signal', signalId: input.signalId, person, slackUserIds, severity: input.severity, signalType: input.type, summary: input.summary, rule: rule!.name, grants: grantsEnded, frozenUntil: frozenUntil?.toISOString() ?? null },
          },
          now,
        );
      }
      return { signalId: input.signalId, slackUserIds, rule: rule?.name ?? null, grantsEnded, frozenUntil, securityNotified };
    });
    if (outcome.grantsEnded.length > 0) deps.wake('revoke-expired-grants');
    if (outcome.securityNotified) deps.wake('deliver-notifications');
    return outcome;
  } catch (error) {
    if (isDomainError(error)) {
      await store.transaction((tx) =>
        tx.audit.append({ at: now, actor: input.actor, action: 'signal.refused', subjectType: 'system', subjectId: 'signals', data: { signalId: input.signalId, code: error.code, principal: input.principal } }),
      );
    }
    throw error;
  }
}

/** A Slack id named by a signal is someone Slack knows, or someone who has held access here. */
async function knownSlackUser(deps: ServiceDeps, slackUserId: string): Promise<boolean> {
  if ((await deps.store.grants.listByHolder(slackUserId, ['pending', 'active', 'revoking', 'revoked', 'failed'])).length > 0) return true;
  return deps.directory.principal(slackUserId).then(
    () => true,
    () => false,
  );
}
