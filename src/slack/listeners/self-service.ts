import type { App, BlockButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { adminRevokeGrant, mayAdminister } from '../../services/admin-revoke-grant.js';
import { cancelRequest } from '../../services/cancel-request.js';
import { confirmBreakGlass } from '../../services/confirm-break-glass.js';
import type { ServiceDeps } from '../../services/deps.js';
import { findGrant } from '../../services/find-grant.js';
import { releaseGrant } from '../../services/release-grant.js';
import { requestExtension } from '../../services/request-extension.js';
import { ACTION, BLOCK, VIEW } from '../ids.js';
import { extendModal, requestableFrom, requestModal, revokeModal } from '../views/modals.js';
import { requestAgain } from '../../services/request-again.js';
import { errorReply } from '../views/replies.js';
import { fieldError, replyForError, replyPrivately } from './reply.js';

/**
 * The buttons on the requester's own copy (Cancel, Extend, Release) and on an owner's break-glass
 * review (Confirm, Revoke). As everywhere, the actor is `body.user.id`; the button value only names
 * the request or grant, and every rule is checked in the service.
 */
export function registerSelfService(app: App, deps: ServiceDeps): void {
  const onButton = (actionId: string, handle: (args: { userId: string; value: string; triggerId: string; client: WebClient }) => Promise<string | null>) =>
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond, client }) => {
      await ack();
      try {
        const confirmation = await handle({ userId: body.user.id, value: action.value ?? '', triggerId: body.trigger_id, client });
        if (confirmation) await replyPrivately(respond, errorReply(confirmation));
      } catch (error) {
        await replyPrivately(respond, replyForError(error, deps.logger, { action: actionId, userId: body.user.id }));
      }
    });

  onButton(ACTION.cancel, async ({ userId, value }) => {
    await cancelRequest(deps, { requestId: value, actorId: userId });
    return null; // the message itself changes to say Cancelled
  });

  onButton(ACTION.release, async ({ userId, value }) => {
    const grant = await releaseGrant(deps, { grant: value, holderId: userId });
    return `Ending your access to \`${grant.resource}\` now. I’ll confirm when it is removed.`;
  });

  onButton(ACTION.extend, async ({ userId, value, triggerId, client }) => {
    const grant = await findGrant(deps, value, userId);
    if (grant.holderId !== userId) throw new DomainError('not_holder', `${userId} does not hold ${grant.id}`);
    const resource = deps.policy.resources[grant.resource];
    await client.views.open({ trigger_id: triggerId, view: extendModal(grant, resource?.duration.defaultMs ?? 3_600_000) as never });
    return null;
  });

  onButton(ACTION.requestAgain, async ({ userId, value, triggerId, client }) => {
    const { earlier, requestable } = await requestAgain(deps, { requestId: value, userId });
    const view = requestModal(requestableFrom(requestable), earlier.resource, { durationMs: earlier.durationMs, reason: earlier.reason });
    await client.views.open({ trigger_id: triggerId, view: view as never });
    return null;
  });

  onButton(ACTION.confirmBreakGlass, async ({ userId, value }) => {
    await confirmBreakGlass(deps, { requestId: value, ownerId: userId });
    return 'Confirmed. The access stays until its window ends.';
  });

  onButton(ACTION.revoke, async ({ userId, value, triggerId, client }) => {
    const grant = await findGrant(deps, value, userId);
    if (!(await mayAdminister(deps, grant.resource, userId))) {
      throw new DomainError('not_authorized', `${userId} may not revoke ${grant.id}`, { resource: grant.resource });
    }
    await client.views.open({ trigger_id: triggerId, view: revokeModal(grant) as never });
    return null;
  });

  app.view(VIEW.extend, async ({ ack, body, view }) => {
    try {
      const requester = await deps.directory.principal(body.user.id);
      await requestExtension(deps, {
        requester,
        grant: view.private_metadata,
        duration: view.state.values[BLOCK.duration]?.value?.value ?? undefined,
        reason: view.state.values[BLOCK.reason]?.value?.value ?? undefined,
      });
      await ack();
    } catch (error) {
      const field = isDomainError(error) && !error.code.startsWith('reason_') ? BLOCK.duration : BLOCK.reason;
      await ack({ response_action: 'errors', errors: { [field]: fieldError(error, deps, body.user.id) } });
    }
  });

  app.view(VIEW.revokeReason, async ({ ack, body, view }) => {
    try {
      await adminRevokeGrant(deps, { grant: view.private_metadata, actorId: body.user.id, reason: view.state.values[BLOCK.revokeReason]?.value?.value ?? '' });
      await ack();
    } catch (error) {
      await ack({ response_action: 'errors', errors: { [BLOCK.revokeReason]: fieldError(error, deps, body.user.id) } });
    }
  });
}
