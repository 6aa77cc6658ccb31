import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { policySchema } from './schema.js';

/** JSON Schema of access.yaml, so editors can complete and check the file. */
export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(policySchema, { io: 'input' }),
    title: 'Keycard access.yaml',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2] ?? 'access.schema.json';
  writeFileSync(target, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${target}`);
}
