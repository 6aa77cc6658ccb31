import type { ServiceDeps } from './deps.js';

/**
 * A reactivated person (Slack `deleted: false`, SCIM `active: true`) may file requests again. Access
 * they lost is not restored: they ask again. Only an offboarding freeze is lifted; a signal's stays.
 */
export async function reinstatePrincipal(deps: Pick<ServiceDeps, 'store' | 'clock'>, input: { slackUserIds: string[]; actor: string; source: 'slack' | 'scim' }): Promise<number> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    let lifted = 0;
    for (const id of input.slackUserIds) {
      const count = await tx.signals.lift(id, 'offboarding', now);
      if (count === 0) continue;
      lifted += count;
      await tx.audit.append({ at: now, actor: input.actor, action: 'principal.reinstated', subjectType: 'principal', subjectId: id, data: { source: input.source } });
    }
    return lifted;
  });
}
