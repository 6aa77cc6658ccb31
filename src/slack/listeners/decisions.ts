import type { App, BlockButtonAction } from '@slack/bolt';
import { checkVote } from '../../services/check-vote.js';
import { decideRequest } from '../../services/decide-request.js';
import type { ServiceDeps } from '../../services/deps.js';
import { ACTION, BLOCK, VIEW } from '../ids.js';
import { mentionList } from '../views/format.js';
import { denyModal } from '../views/modals.js';
import { errorReply } from '../views/replies.js';
import { fieldError, replyForError, replyPrivately } from './reply.js';

/**
 * Approve and Deny. The voter is always `body.user.id` from the verified payload (invariant 1); the
 * button's value only names which request, and every rule is checked against the stored request.
 */
export function registerDecisions(app: App, deps: ServiceDeps): void {
  app.action<BlockButtonAction>(ACTION.approve, async ({ ack, body, action, respond }) => {
    await ack();
    try {
      const result = await decideRequest(deps, { requestId: action.value ?? '', approverId: body.user.id, vote: 'approve' });
      if (result.outcome === 'recorded') {
        await replyPrivately(respond, errorReply(`Your approval is recorded: ${result.approvals.length} of ${result.request.requiredApprovals} (${mentionList(result.approvals, 'and')}). Waiting for the others.`));
      }
    } catch (error) {
      await replyPrivately(respond, replyForError(error, deps.logger, { action: 'approve', userId: body.user.id }));
    }
  });

  app.action<BlockButtonAction>(ACTION.deny, async ({ ack, body, action, respond, client }) => {
    await ack();
    try {
      const request = await checkVote(deps, action.value ?? '', body.user.id);
      await client.views.open({ trigger_id: body.trigger_id, view: denyModal(request) as never });
    } catch (error) {
      await replyPrivately(respond, replyForError(error, deps.logger, { action: 'deny', userId: body.user.id }));
    }
  });

  app.view(VIEW.denyReason, async ({ ack, body, view }) => {
    const reason = view.state.values[BLOCK.denyReason]?.value?.value?.trim() ?? '';
    if (reason === '') {
      await ack({ response_action: 'errors', errors: { [BLOCK.denyReason]: 'Please say why; the requester will read it.' } });
      return;
    }
    try {
      await decideRequest(deps, { requestId: view.private_metadata, approverId: body.user.id, vote: 'deny', reason });
      await ack();
    } catch (error) {
      await ack({ response_action: 'errors', errors: { [BLOCK.denyReason]: fieldError(error, deps, body.user.id) } });
    }
  });
}
