/** RFC 7644 §3.4.2.4: 1-based `startIndex` (below 1 reads as 1), `count` (negative reads as 0), bounded. */
export function parsePaging(params: URLSearchParams, maxCount = 200): { startIndex: number; count: number } {
  const startIndex = Math.max(1, Math.trunc(Number(params.get('startIndex') ?? '1')) || 1);
  const rawCount = params.get('count');
  const count = rawCount === null ? 100 : Math.min(maxCount, Math.max(0, Math.trunc(Number(rawCount)) || 0));
  return { startIndex, count };
}

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** The numbers are integers, never strings (Okta checks). */
export function listResponse(resources: unknown[], total: number, startIndex: number): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}
