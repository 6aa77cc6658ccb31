import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load.js';
import { providerKinds } from '../../src/providers/registry.js';

/**
 * Every provider kind has a page in docs/providers/ that says what it grants, the credentials and
 * least permissions, and a configuration example that really loads — and the README links it.
 */
const kinds = [...providerKinds.keys()].sort();
const page = (kind: string) => `docs/providers/${kind}.md`;

describe('provider docs', () => {
  it.each(kinds)('%s has a page with credentials and least permissions, and a configuration example', (kind) => {
    expect(existsSync(page(kind)), page(kind)).toBe(true);
    const md = readFileSync(page(kind), 'utf8');
    expect(md).toMatch(new RegExp(`^# \`${kind}\` provider`, 'm'));
    expect(md).toMatch(/^## Credentials and least permissions$/m);
    expect(md).toMatch(/^## Configuration$/m);
  });

  it.each(kinds)('the %s configuration example loads with the kind’s own schemas', (kind) => {
    const md = readFileSync(page(kind), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md.slice(md.indexOf('## Configuration')))?.[1];
    expect(yaml, 'a yaml block under ## Configuration').toBeDefined();
    // The examples name approver groups without defining them; define each as one placeholder person.
    const groups = [...new Set([...yaml!.matchAll(/group:([\w.-]+)/g)].map((m) => m[1]))];
    const text = `${yaml}groups:\n${groups.map((g) => `  ${g}: [U0DOCS]`).join('\n')}\n`;
    const policy = parsePolicy(text, page(kind), providerKinds);
    expect(Object.values(policy.providers).map((p) => p.kind)).toContain(kind);
  });

  it('the README links every provider page', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const kind of kinds) expect(readme).toContain(`](${page(kind)})`);
  });
});
