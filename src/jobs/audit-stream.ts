import type { Config } from '../config.js';
import type { ServiceDeps } from '../services/deps.js';
import { streamAuditEvents, type AuditSink } from '../services/stream-audit-events.js';
import type { Job } from './job.js';

/** AUDIT_STREAM=stdout or an http(s) URL: every audit event as a JSON line, for a SIEM. No job when unset. */
export function auditStreamJobs(config: Pick<Config, 'AUDIT_STREAM'>, deps: ServiceDeps): Job[] {
  if (!config.AUDIT_STREAM) return [];
  const sink = config.AUDIT_STREAM === 'stdout' ? stdoutSink() : webhookSink(config.AUDIT_STREAM);
  return [{ name: 'stream-audit-events', schedule: '*/2 * * * * *', run: () => streamAuditEvents(deps, sink) }];
}

function stdoutSink(): AuditSink {
  return {
    name: 'stdout',
    send: (lines) =>
      new Promise((resolve, reject) => process.stdout.write(`${lines.join('\n')}\n`, (error) => (error ? reject(error) : resolve()))),
  };
}

/** POSTs each batch as application/x-ndjson; anything but 2xx is retried on the next run. */
function webhookSink(url: string): AuditSink {
  return {
    name: `webhook:${new URL(url).host}`, // the cursor is named by host: a token in the URL is never stored or logged
    async send(lines) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: `${lines.join('\n')}\n`, signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`audit stream webhook answered ${response.status}`);
    },
  };
}
