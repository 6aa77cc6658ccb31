import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.KEYCARD_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Whether this machine can run a throwaway PostgreSQL server (the binaries are there). */
export function ownPostgresAvailable(): boolean {
  return existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'));
}

/**
 * A PostgreSQL server of a test's own, in a temp dir on a free port of 127.0.0.1 (its socket in the
 * temp dir too), so the test can stop and start it without touching the shared server on 5432.
 * PostgreSQL refuses to run as root; as root the binaries run as the `postgres` system user.
 */
export class OwnPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'keycard-own-pg-'));
  private readonly data = join(this.dir, 'data');
  private readonly log = join(this.dir, 'server.log');
  port = 0;
  private running = false;

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async init(): Promise<this> {
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(this.dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await this.pg('initdb', ['-D', this.data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    this.port = await freePort();
    return this;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    await this.pg('pg_ctl', ['-D', this.data, '-l', this.log, '-o', options, '-w', '-t', '30', 'start']);
    this.running = true;
  }

  /** `fast`: what an operator's restart does: open sessions are cut, transactions rolled back. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '30', 'stop']);
    this.running = false;
  }

  serverLog(): string {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8') : '';
  }

  /** Stops the server if it runs and deletes every file it had. */
  async remove(): Promise<void> {
    try {
      if (this.running) await this.stop('immediate');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async pg(binary: string, args: string[]): Promise<void> {
    const path = join(BIN, binary);
    const asRoot = process.getuid?.() === 0;
    await run(asRoot ? 'runuser' : path, asRoot ? ['-u', 'postgres', '--', path, ...args] : args, { cwd: this.dir, timeout: 60_000 });
  }
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
