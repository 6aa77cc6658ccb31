import { App, HTTPReceiver, LogLevel, type CustomRoute, type Middleware, type AnyMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ServiceDeps } from '../services/deps.js';
import { RefusalAuditor } from '../http/refusals.js';
import { registerCommand } from './listeners/command.js';
import { auditSubcommands } from './listeners/subcommands-audit.js';
import { registerDecisions } from './listeners/decisions.js';
import { registerLifecycleEvents } from './listeners/lifecycle-events.js';
import { registerRequestForm } from './listeners/request-form.js';
import { registerReviewActions } from './listeners/review-actions.js';
import { reviewSubcommands } from './listeners/subcommands-reviews.js';
import { identitySubcommands } from './listeners/subcommands-identity.js';
import { registerHome } from './listeners/home.js';
import { registerSelfService } from './listeners/self-service.js';
import { guardReplays } from './replay-guard.js';
import { auditSignatureRefusals } from './signature-refusals.js';
import { Workspace } from './workspace.js';

export interface SlackAppOptions {
  config: Config;
  deps: ServiceDeps;
  logger: Logger;
  routes: CustomRoute[];
  /** A client holding the bot token, for calls made outside a listener's context. */
  client: WebClient;
}

/**
 * The Bolt app. HTTP mode serves `POST /slack/events` (Bolt verifies the signature and refuses stale
 * timestamps with 401); Socket Mode is used when SLACK_APP_TOKEN is set.
 */
export function createSlackApp({ config, deps, logger, routes, client }: SlackAppOptions): App {
  const clientOptions = { slackApiUrl: config.SLACK_API_URL };
  const boltLogger = pinoToBolt(logger);
  const workspace = new Workspace(client);
  // Our own authorize: one auth.test per process (Bolt's single-token mode would call it per request).
  const authorize = async () => {
    const { teamId, botUserId, botId } = await workspace.identity();
    return { botToken: config.SLACK_BOT_TOKEN, teamId, botUserId, botId };
  };
  const refusals = new RefusalAuditor(deps);
  const app = config.SLACK_APP_TOKEN
    ? new App({ authorize, appToken: config.SLACK_APP_TOKEN, socketMode: true, customRoutes: routes, clientOptions, logger: boltLogger, port: config.PORT })
    : new App({
        authorize,
        receiver: guardReplays(
          auditSignatureRefusals(
            new HTTPReceiver({
              signingSecret: config.SLACK_SIGNING_SECRET!,
              endpoints: '/slack/events',
              customRoutes: routes,
              logger: boltLogger,
              processBeforeResponse: false,
            }),
            refusals,
          ),
          { signingSecret: config.SLACK_SIGNING_SECRET!, seen: deps.store.seenRequests, refusals },
        ),
        clientOptions,
        logger: boltLogger,
      });
  app.use(sameWorkspaceOnly(workspace, logger));
  registerCommand(app, deps, [...reviewSubcommands, ...identitySubcommands, ...auditSubcommands]);
  registerRequestForm(app, deps);
  registerDecisions(app, deps);
  registerReviewActions(app, deps);
  registerSelfService(app, deps);
  registerHome(app, deps);
  registerLifecycleEvents(app, deps);
  app.error(async (error) => {
    logger.error({ err: error.message, code: (error as { code?: string }).code }, 'Slack listener failed');
  });
  return app;
}

/**
 * Invariant 1: a payload from another workspace is dropped, even when correctly signed (one signing
 * secret can serve an app installed in several workspaces). Our team comes from `auth.test`.
 */
function sameWorkspaceOnly(workspace: Workspace, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { body, next } = args;
    const payload = body as { team_id?: string; team?: { id?: string } | null; user?: { team_id?: string } };
    const teamId = payload.team?.id ?? payload.team_id ?? payload.user?.team_id;
    const ours = (await workspace.identity()).teamId;
    if (teamId !== ours) {
      logger.warn({ teamId }, 'dropped a Slack payload from another workspace');
      const ack = (args as { ack?: () => Promise<void> }).ack;
      if (ack) await ack();
      return;
    }
    await next();
  };
}

function pinoToBolt(logger: Logger) {
  const child = logger.child({ component: 'bolt' });
  return {
    debug: (...msg: unknown[]) => child.debug(msg.join(' ')),
    info: (...msg: unknown[]) => child.info(msg.join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.join(' ')),
    error: (...msg: unknown[]) => child.error(msg.join(' ')),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
