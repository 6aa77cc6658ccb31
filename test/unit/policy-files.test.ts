import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyJsonSchema } from '../../src/policy/export-json-schema.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { providerKinds } from '../../src/providers/registry.js';

describe('the policy files shipped in the repository', () => {
  it('access.schema.json is the current export of the zod schema (run `npm run policy:schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync('access.schema.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(policyJsonSchema())));
  });

  it('the example access.yaml loads', () => {
    const policy = loadPolicyFile('access.yaml', providerKinds);
    expect(Object.keys(policy.resources)).toContain('prod-db-readonly');
  });
});
