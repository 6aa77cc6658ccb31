import { App, HTTPReceiver, LogLevel, type CustomRoute, type Middleware, type AnyMiddlewareArgs } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ServiceDeps } from '../services/deps.js';
import { registerCommand } from './listeners/command.js';
import { registerDecisions } from './listeners/decisions.js';
import { registerRequestForm } from './listeners/request-form.js';

export interface SlackAppOptions {
  config: Config;
  deps: ServiceDeps;
  logger: Logger;
  routes: CustomRoute[];
}

/**
 * The Bolt app. HTTP mode serves `POST /slack/events` (Bolt verifies the signature and refuses stale
 * timestamps with 401); Socket Mode is used when SLACK_APP_TOKEN is set.
 */
export function createSlackApp({ config, deps, logger, routes }: SlackAppOptions): App {
  const clientOptions = { slackApiUrl: config.SLACK_API_URL };
  const boltLogger = pinoToBolt(logger);
  const app = config.SLACK_APP_TOKEN
    ? new App({ token: config.SLACK_BOT_TOKEN, appToken: config.SLACK_APP_TOKEN, socketMode: true, customRoutes: routes, clientOptions, logger: boltLogger, tokenVerificationEnabled: false, port: config.PORT })
    : new App({
        token: config.SLACK_BOT_TOKEN,
        receiver: new HTTPReceiver({
          signingSecret: config.SLACK_SIGNING_SECRET!,
          endpoints: '/slack/events',
          customRoutes: routes,
          logger: boltLogger,
          processBeforeResponse: false,
        }),
        clientOptions,
        logger: boltLogger,
        tokenVerificationEnabled: false,
      });
  app.use(sameWorkspaceOnly(logger));
  registerCommand(app, deps);
  registerRequestForm(app, deps);
  registerDecisions(app, deps);
  app.error(async (error) => {
    logger.error({ err: error.message, code: (error as { code?: string }).code }, 'Slack listener failed');
  });
  return app;
}

/**
 * Invariant 1: a payload from another workspace is dropped. Bolt's single-workspace authorisation
 * learns our team from `auth.test` (context.teamId); the payload's team must match it.
 */
function sameWorkspaceOnly(logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { body, context, next } = args;
    const payload = body as { team_id?: string; team?: { id?: string } | null; user?: { team_id?: string } };
    const teamId = payload.team?.id ?? payload.team_id ?? payload.user?.team_id;
    if (context.teamId && teamId && teamId !== context.teamId) {
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
