import type { App, BlockButtonAction } from '@slack/bolt';
import type { ServiceDeps } from '../../services/deps.js';
import { listMyAccess } from '../../services/list-my-access.js';
import { listRequestable } from '../../services/list-requestable.js';
import { ACTION } from '../ids.js';
import { homeView } from '../views/home.js';
import { requestableFrom, requestModal } from '../views/modals.js';

/** The App Home tab, rendered for the person who opened it (the verified `event.user`). */
export function registerHome(app: App, deps: ServiceDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      await client.views.publish({ user_id: event.user, view: homeView(await listMyAccess(deps, event.user)) as never });
    } catch (error) {
      deps.logger.warn({ userId: event.user, err: (error as Error).message }, 'could not render the home tab');
    }
  });

  app.action<BlockButtonAction>(ACTION.homeRequest, async ({ ack, body, client }) => {
    await ack();
    const view = requestModal(requestableFrom(await listRequestable(deps, body.user.id)));
    await client.views.open({ trigger_id: body.trigger_id, view: view as never });
  });
}
