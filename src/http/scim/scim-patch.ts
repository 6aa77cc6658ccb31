import { scimPatch, type ScimPatchOperation } from 'scim-patch';
import { ScimError } from './scim-error.js';
import { scimBoolean } from './scim-resources.js';

type Json = Record<string, unknown>;

export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Attribute names fixed to their schema spelling, since clients vary the case of paths and keys. */
const CANONICAL = new Map(['active', 'members', 'displayName', 'userName', 'externalId', 'emails', 'name'].map((n) => [n.toLowerCase(), n]));

/**
 * Applies a PATCH body (RFC 7644 §3.5.2) to a resource, as Okta and Entra ID send it: `op` in any case
 * (`Replace`), `active` as the string `"False"`, pathless `value` objects (with dotted keys), and member
 * removal either by filtered path (`members[value eq "…"]`) or by a value list (Entra without its flag).
 */
export function applyPatch(resource: Json, body: unknown): Json {
  const operations = readOperations(body).flatMap(normalise);
  try {
    return scimPatch({ schemas: [], ...resource } as never, operations as ScimPatchOperation[]) as unknown as Json;
  } catch (error) {
    const e = error as Error & { scimCode?: string };
    const scimType = e.constructor.name === 'NoTarget' || e.constructor.name === 'FilterArrayTargetNotFound' ? 'noTarget' : e.scimCode === 'invalidPath' ? 'invalidPath' : 'invalidValue';
    throw new ScimError(400, e.message.replace(/\s*\[object Object\]$/, ''), scimType);
  }
}

interface RawOperation {
  op: string;
  path?: string;
  value?: unknown;
}

function readOperations(body: unknown): RawOperation[] {
  const b = (body ?? {}) as Json;
  const schemas = Array.isArray(b.schemas) ? b.schemas : [];
  if (!schemas.includes(PATCH_SCHEMA)) throw new ScimError(400, `A PATCH body must name the schema ${PATCH_SCHEMA}`, 'invalidSyntax');
  const ops = b.Operations ?? b.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw new ScimError(400, 'A PATCH body needs a non-empty Operations list', 'invalidSyntax');
  return ops.map((raw, i) => {
    const o = (raw ?? {}) as Json;
    const op = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    if (!['add', 'replace', 'remove'].includes(op)) throw new ScimError(400, `Operations[${i}].op must be add, replace or remove`, 'invalidSyntax');
    if (o.path !== undefined && typeof o.path !== 'string') throw new ScimError(400, `Operations[${i}].path must be a string`, 'invalidPath');
    if (op !== 'remove' && o.path === undefined && (o.value === null || typeof o.value !== 'object' || Array.isArray(o.value))) {
      throw new ScimError(400, `Operations[${i}] has no path, so its value must be an object of attributes`, 'invalidValue');
    }
    if (op === 'remove' && o.path === undefined) throw new ScimError(400, `Operations[${i}]: remove needs a path`, 'noTarget');
    return { op, path: o.path as string | undefined, value: o.value };
  });
}

function normalise(operation: RawOperation): RawOperation[] {
  const path = operation.path === undefined ? undefined : canonicalPath(operation.path);
  if (path === 'active' && operation.op !== 'remove') return [{ ...operation, path, value: scimBoolean(operation.value, 'active') }];
  if (path === undefined && operation.value && typeof operation.value === 'object') {
    const value: Json = {};
    for (const [key, v] of Object.entries(operation.value as Json)) {
      const name = CANONICAL.get(key.toLowerCase()) ?? key;
      value[name] = name === 'active' ? scimBoolean(v, 'active') : name === 'members' ? memberObjects(v) : v;
    }
    return [{ ...operation, value }];
  }
  if (path === 'members') {
    if (operation.op === 'remove' && operation.value !== undefined) {
      // Entra: remove exactly the listed members. Without a value, `remove members` clears all (RFC 7644 §3.5.2.2).
      return memberObjects(operation.value).map((m) => ({ op: 'remove', path: `members[value eq ${JSON.stringify(m.value)}]` }));
    }
    if (operation.op !== 'remove') return [{ ...operation, path, value: memberObjects(operation.value) }];
  }
  return [{ ...operation, path }];
}

/** `[{value, display, $ref: null}]` or bare ids → `[{value}]`, so equal members compare equal. */
function memberObjects(value: unknown): Array<{ value: string }> {
  const list = Array.isArray(value) ? value : [value];
  return list
    .map((m) => (typeof m === 'string' ? m : typeof (m as Json)?.value === 'string' ? ((m as Json).value as string) : null))
    .filter((v): v is string => v !== null)
    .map((v) => ({ value: v }));
}

/** `Active` → `active`, `Members[value eq "x"]` → `members[value eq "x"]`; URN paths and sub-attributes keep their case. */
function canonicalPath(path: string): string {
  const match = /^([A-Za-z]+)(.*)$/.exec(path.trim());
  if (!match || path.startsWith('urn:')) return path.trim();
  const [, head, rest] = match;
  return `${CANONICAL.get(head!.toLowerCase()) ?? head}${rest}`;
}
