import type { App, BlockStaticSelectAction } from '@slack/bolt';
import { isDomainError, type DomainErrorCode } from '../../domain/errors.js';
import type { ServiceDeps } from '../../services/deps.js';
import { listRequestable } from '../../services/list-requestable.js';
import { submitRequest } from '../../services/submit-request.js';
import { ACTION, BLOCK, VIEW } from '../ids.js';
import { fieldError } from './reply.js';
import { requestModal, requestableFrom } from '../views/modals.js';

/** Which field of the form a refusal belongs to, so the person sees it where they can fix it. */
const FIELD_OF: Partial<Record<DomainErrorCode, string>> = {
  invalid_duration: BLOCK.duration,
  duration_too_long: BLOCK.duration,
  duration_too_short: BLOCK.duration,
  reason_required: BLOCK.reason,
  reason_too_long: BLOCK.reason,
};

/** The request modal: re-rendered when a resource is picked; validated at the field on submit. */
export function registerRequestForm(app: App, deps: ServiceDeps): void {
  app.action<BlockStaticSelectAction>(ACTION.pickResource, async ({ ack, body, action, client }) => {
    await ack();
    if (!body.view) return;
    const resources = await listRequestable(deps, body.user.id);
    const view = requestModal(requestableFrom(resources), action.selected_option.value);
    await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: view as never }).catch((error: { data?: { error?: string } }) => {
      // A newer edit already replaced the view; the person's latest choice wins.
      if (error.data?.error !== 'hash_conflict') throw error;
    });
  });

  app.view(VIEW.request, async ({ ack, body, view }) => {
    const values = view.state.values;
    const resourceName = values[BLOCK.resource]?.[ACTION.pickResource]?.selected_option?.value;
    if (!resourceName) {
      await ack({ response_action: 'errors', errors: { [BLOCK.resource]: 'Choose what you need access to.' } });
      return;
    }
    try {
      const requester = await deps.directory.principal(body.user.id);
      await submitRequest(deps, {
        requester,
        resourceName,
        duration: values[BLOCK.duration]?.value?.value ?? undefined,
        reason: values[BLOCK.reason]?.value?.value ?? '',
      });
      await ack();
    } catch (error) {
      const field = isDomainError(error) ? (FIELD_OF[error.code] ?? BLOCK.resource) : BLOCK.resource;
      await ack({ response_action: 'errors', errors: { [field]: fieldError(error, deps, body.user.id) } });
    }
  });
}
