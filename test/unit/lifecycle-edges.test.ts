import { createHmac } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/http/audit-export-route.js';
import { RefusalAuditor } from '../../src/http/refusals.js';
import { signSignal } from '../../src/http/signals-route.js';
import type { Refusal } from '../../src/services/record-refusal.js';
import { parseAuditTarget } from '../../src/slack/listeners/subcommands-audit.js';
import { securityNoticeMessage } from '../../src/slack/views/security-notices.js';

describe('signal signatures', () => {
  it('are v1= hex HMAC-SHA256 of "v1:<timestamp>:<body>" keyed with the token, as docs/signals.md says', () => {
    const expected = createHmac('sha256', 'secret').update('v1:1700000000:{"id":"a"}').digest('hex');
    expect(signSignal('secret', 1_700_000_000, '{"id":"a"}')).toBe(`v1=${expected}`);
  });
});

describe('CSV export cells', () => {
  it('quote per RFC 4180 and defuse spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(1)')).toBe("'@SUM(1)");
  });
});

describe('/access audit targets', () => {
  it('reads escaped mentions and member ids as people, other words as resources', () => {
    expect(parseAuditTarget('<@U0ANA|ana>')).toEqual({ kind: 'person', slackUserId: 'U0ANA' });
    expect(parseAuditTarget('<@W0ANA>')).toEqual({ kind: 'person', slackUserId: 'W0ANA' });
    expect(parseAuditTarget('U0123ABCD')).toEqual({ kind: 'person', slackUserId: 'U0123ABCD' });
    expect(parseAuditTarget('prod-db')).toEqual({ kind: 'resource', name: 'prod-db' });
    expect(parseAuditTarget('@ana')).toMatchObject({ problem: expect.stringMatching(/member ID/) });
    expect(parseAuditTarget('  ')).toMatchObject({ problem: expect.any(String) });
  });
});

describe('refusal auditing', () => {
  it('writes at most one event a second per kind and source, and the next one counts the rest', async () => {
    const written: Refusal[] = [];
    let now = 0;
    const deps = {
      clock: { now: () => new Date(now) },
      logger: pino({ level: 'silent' }),
      store: { transaction: async (work: (tx: unknown) => Promise<void>) => work({ audit: { append: async (e: Refusal) => void written.push(e) } }) },
    } as never;
    const auditor = new RefusalAuditor(deps, () => now);
    const refusal: Refusal = { action: 'scim.auth_refused', subjectType: 'system', subjectId: 'scim', data: { reason: 'wrong_token' } };
    for (let i = 0; i < 5; i++) auditor.record(refusal, '10.0.0.1');
    auditor.record(refusal, '10.0.0.2');
    now = 1_500;
    auditor.record(refusal, '10.0.0.1');
    await new Promise((r) => setTimeout(r, 10));
    expect(written.map((e) => e.data)).toEqual([
      { reason: 'wrong_token', source: '10.0.0.1' },
      { reason: 'wrong_token', source: '10.0.0.2' },
      { reason: 'wrong_token', source: '10.0.0.1', alsoRefusedSinceLast: 4 },
    ]);
  });
});

describe('security channel notices', () => {
  it('keep a Slack mention as a mention and escape an email', () => {
    const notice = (person: string) =>
      securityNoticeMessage({ type: 'offboarded', person, slackUserIds: ['U0ANA'], source: 'scim', grants: [], cancelledRequests: [], reassigned: [] });
    expect(JSON.stringify(notice('<@U0ANA>').blocks)).toContain('<@U0ANA> — deactivated in the identity provider');
    expect(JSON.stringify(notice('a<b>@x.com').blocks)).toContain('a&lt;b&gt;@x.com');
  });
});
