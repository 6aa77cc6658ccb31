import { existsSync } from 'node:fs';
import { startKeycard } from './keycard.js';

/** `npm start`: reads `.env` when present, starts Keycard, and shuts down cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const keycard = await startKeycard({ env: process.env });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    keycard.deps.logger.info({ signal }, 'stopping: no new work is claimed; in-flight work finishes');
    keycard.stop().then(
      () => process.exit(0),
      (error: Error) => {
        keycard.deps.logger.error({ err: error.message }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: Error) => {
  // Start-up errors (bad config, bad policy) are written for a person: print the message, not a stack.
  console.error(error.name === 'ConfigError' || error.name === 'PolicyError' || error.name === 'ProviderConfigError' ? error.message : error);
  process.exit(1);
});
