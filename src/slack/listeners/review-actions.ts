import type { App, BlockButtonAction } from '@slack/bolt';
import type { ReviewDecision } from '../../domain/review-types.js';
import { decideReviewItems, parseItemIds } from '../../services/decide-review-items.js';
import type { ServiceDeps } from '../../services/deps.js';
import { showReviewPage } from '../../services/show-review-page.js';
import { REVIEW_ACTION } from '../review-ids.js';
import { replyForError, replyPrivately } from './reply.js';

/**
 * Keep / Revoke (one item or the page) and page turns on a reviewer's message. The reviewer is always
 * `body.user.id` from the verified payload (invariant 1); button values only name items or a page, and
 * every rule is checked against the stored items. Success shows as the message updating itself.
 */
export function registerReviewActions(app: App, deps: ServiceDeps): void {
  const decide = (actionId: string, decision: ReviewDecision, scope: 'item' | 'page') =>
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      try {
        await decideReviewItems(deps, { reviewerId: body.user.id, itemIds: parseItemIds(action.value ?? ''), decision, scope });
      } catch (error) {
        await replyPrivately(respond, replyForError(error, deps.logger, { action: actionId, userId: body.user.id }));
      }
    });
  decide(REVIEW_ACTION.keep, 'keep', 'item');
  decide(REVIEW_ACTION.revoke, 'revoke', 'item');
  decide(REVIEW_ACTION.keepPage, 'keep', 'page');
  decide(REVIEW_ACTION.revokePage, 'revoke', 'page');

  for (const actionId of [REVIEW_ACTION.previousPage, REVIEW_ACTION.nextPage]) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const [campaignId = '', page = ''] = (action.value ?? '').split(':');
      try {
        await showReviewPage(deps, { campaignId, reviewerId: body.user.id, page: /^\d{1,6}$/.test(page) ? Number(page) : 0 });
      } catch (error) {
        await replyPrivately(respond, replyForError(error, deps.logger, { action: actionId, userId: body.user.id }));
      }
    });
  }
}
