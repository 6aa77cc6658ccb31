import { parse, type Filter } from 'scim2-parse-filter';
import type { Equals, GroupFilterAttribute, UserFilterAttribute } from '../../store/directory-repo.js';
import { ScimError } from './scim-error.js';

/** SCIM attribute names (compared case-insensitively, RFC 7644 §3.4.2.2) → what the directory can match. */
const USER_ATTRIBUTES: Record<string, UserFilterAttribute> = {
  id: 'id',
  username: 'userName',
  externalid: 'externalId',
  displayname: 'displayName',
  'emails.value': 'email',
  emails: 'email',
};
const GROUP_ATTRIBUTES: Record<string, GroupFilterAttribute> = { id: 'id', displayname: 'displayName', externalid: 'externalId' };

/**
 * The filters Okta and Entra ID send: `attr eq "value"`, joined with `and` (Entra's only operators),
 * including `emails[type eq "work"].value eq "…"`. Entra's tutorial also sends an unquoted value
 * (`externalId eq jyoung`), which the parser refuses, so bare words are quoted first.
 */
export function parseUserFilter(text: string | null): Equals<UserFilterAttribute>[] {
  return parseEquals(text, USER_ATTRIBUTES);
}

export function parseGroupFilter(text: string | null): Equals<GroupFilterAttribute>[] {
  return parseEquals(text, GROUP_ATTRIBUTES);
}

function parseEquals<A extends string>(text: string | null, attributes: Record<string, A>): Equals<A>[] {
  if (text === null || text.trim() === '') return [];
  let ast: Filter;
  try {
    ast = parse(quoteBareValues(text.trim()));
  } catch (error) {
    throw new ScimError(400, `The filter could not be parsed: ${(error as Error).message}`, 'invalidFilter');
  }
  const out: Equals<A>[] = [];
  const visit = (node: Filter): void => {
    if (node.op === 'and') return node.filters.forEach(visit);
    // `emails[type eq "work"].value eq "x"` arrives as `emails[type eq "work"] and emails.value eq "x"`:
    // the bracket only narrows which email, and Keycard keeps one work email, so it is not a condition.
    if (node.op === '[]' && node.attrPath.toLowerCase() === 'emails') return;
    if (node.op === 'eq' && (typeof node.compValue === 'string' || typeof node.compValue === 'number')) {
      const attribute = attributes[node.attrPath.toLowerCase()];
      if (!attribute) throw new ScimError(400, `Filtering on ${node.attrPath} is not supported`, 'invalidFilter');
      out.push({ attribute, value: String(node.compValue) });
      return;
    }
    throw new ScimError(400, `Only "eq" comparisons joined with "and" are supported (got "${node.op}")`, 'invalidFilter');
  };
  visit(ast);
  return out;
}

const LITERALS = new Set(['true', 'false', 'null']);

/** `externalId eq jyoung` → `externalId eq "jyoung"`; quoted strings, numbers and literals stay as they are. */
export function quoteBareValues(text: string): string {
  return text.replace(/(\s(?:eq|ne|co|sw|ew|gt|lt|ge|le)\s+)([^\s"()[\]]+)/gi, (whole, operator: string, value: string) => {
    if (LITERALS.has(value.toLowerCase()) || /^-?\d+(\.\d+)?$/.test(value)) return whole;
    return `${operator}${JSON.stringify(value)}`;
  });
}
