import type { CustomRoute } from '@slack/bolt';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceDeps } from '../../services/deps.js';
import { provisionDirectoryGroup } from '../../services/provision-directory-group.js';
import { provisionDirectoryUser } from '../../services/provision-directory-user.js';
import { removeDirectoryGroup } from '../../services/remove-directory-group.js';
import { removeDirectoryUser } from '../../services/remove-directory-user.js';
import { updateDirectoryGroup } from '../../services/update-directory-group.js';
import { updateDirectoryUser } from '../../services/update-directory-user.js';
import type { DirectoryUser } from '../../store/directory-repo.js';
import { BodyTooLarge, readBody } from '../body.js';
import { bearerProblem, clientAddress, hasBearer } from '../credentials.js';
import type { RefusalAuditor } from '../refusals.js';
import { notFound, ScimError } from './scim-error.js';
import { parseGroupFilter, parseUserFilter } from './scim-filter.js';
import { listResponse, parsePaging } from './scim-paging.js';
import { applyPatch } from './scim-patch.js';
import { scimResourceTypes, scimSchemas } from './scim-schemas.js';
import { groupResource, memberIds, storedGroup, storedUser, userFields, userResource } from './scim-resources.js';

export const SCIM_BASE = '/scim/v2';
const ACTOR = 'api:scim';
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';

type Request = IncomingMessage & { params?: Partial<Record<string, string>> };
type Handler = (req: Request, res: ServerResponse) => Promise<void>;

/**
 * The SCIM 2.0 server for Okta and Entra ID provisioning (RFC 7644): Users and Groups with POST, GET
 * (filter, startIndex/count), PUT, PATCH and DELETE, behind one bearer token (SCIM_TOKEN). Joiners are
 * recorded, movers re-evaluated, leavers offboarded by the services these handlers call.
 */
export function scimRoutes(options: { token: string; deps: ServiceDeps; refusals: RefusalAuditor }): CustomRoute[] {
  const { deps } = options;
  const route = (path: string, methods: Record<string, Handler>): CustomRoute[] =>
    Object.entries(methods).map(([method, handler]) => {
      const run = guarded(options, handler);
      return { path: `${SCIM_BASE}${path}`, method, handler: (req, res) => void run(req as Request, res) };
    });

  const user = async (u: DirectoryUser, base: string) => userResource(u, await deps.store.directory.groupsOfUser(u.id), base);

  return [
    ...route('/Users', {
      GET: async (req, res) => {
        const query = queryOf(req);
        const { startIndex, count } = parsePaging(query);
        const page = await deps.store.directory.listUsers(parseUserFilter(query.get('filter')), startIndex - 1, count);
        const base = baseUrl(req);
        send(res, 200, listResponse(await Promise.all(page.rows.map((u) => user(u, base))), page.total, startIndex));
      },
      POST: async (req, res) => {
        const fields = userFields(storedUser(await jsonBody(req)), null);
        const created = await provisionDirectoryUser(deps, { fields, actor: ACTOR });
        if (!created) throw new ScimError(409, `A user with userName ${fields.userName} already exists`, 'uniqueness');
        const body = await user(created, baseUrl(req));
        send(res, 201, body, { location: String((body.meta as { location: string }).location) });
      },
    }),
    ...route('/Users/:id', {
      GET: async (req, res) => {
        const found = await deps.store.directory.findUser(idOf(req));
        if (!found) throw notFound('User', idOf(req));
        send(res, 200, await user(found, baseUrl(req)));
      },
      PUT: async (req, res) => {
        const body = await jsonBody(req);
        const result = await updateDirectoryUser(deps, { id: idOf(req), actor: ACTOR, change: () => userFields(storedUser(body), null) });
        send(res, 200, await userOutcome(result, idOf(req), (u) => user(u, baseUrl(req))));
      },
      PATCH: async (req, res) => {
        const body = await jsonBody(req);
        const change = (current: DirectoryUser) => userFields(storedUser(applyPatch({ ...current.resource, active: current.active }, body)), null);
        const result = await updateDirectoryUser(deps, { id: idOf(req), actor: ACTOR, change });
        send(res, 200, await userOutcome(result, idOf(req), (u) => user(u, baseUrl(req))));
      },
      DELETE: async (req, res) => {
        if (!(await removeDirectoryUser(deps, { id: idOf(req), actor: ACTOR }))) throw notFound('User', idOf(req));
        res.writeHead(204).end();
      },
    }),
    ...route('/Groups', {
      GET: async (req, res) => {
        const query = queryOf(req);
        const { startIndex, count } = parsePaging(query);
        const page = await deps.store.directory.listGroups(parseGroupFilter(query.get('filter')), startIndex - 1, count);
        const withMembers = !excludesMembers(query);
        const base = baseUrl(req);
        const resources = await Promise.all(page.rows.map(async (g) => groupResource(g, withMembers ? await deps.store.directory.groupMembers(g.id) : null, base)));
        send(res, 200, listResponse(resources, page.total, startIndex));
      },
      POST: async (req, res) => {
        const body = await jsonBody(req);
        const fields = storedGroup(body);
        const created = await provisionDirectoryGroup(deps, { fields, memberIds: memberIds(body.members), actor: ACTOR });
        if (!created) throw new ScimError(409, `A group named ${fields.displayName} already exists`, 'uniqueness');
        const resource = groupResource(created, await deps.store.directory.groupMembers(created.id), baseUrl(req));
        send(res, 201, resource, { location: String((resource.meta as { location: string }).location) });
      },
    }),
    ...route('/Groups/:id', {
      GET: async (req, res) => {
        const found = await deps.store.directory.findGroup(idOf(req));
        if (!found) throw notFound('Group', idOf(req));
        const members = excludesMembers(queryOf(req)) ? null : await deps.store.directory.groupMembers(found.id);
        send(res, 200, groupResource(found, members, baseUrl(req)));
      },
      PUT: async (req, res) => {
        const body = await jsonBody(req);
        // Members left out of a PUT stay as they are: a rename must never empty a group by accident.
        const change = () => ({ ...storedGroup(body), ...(body.members !== undefined ? { memberIds: memberIds(body.members) } : {}) });
        const result = await updateDirectoryGroup(deps, { id: idOf(req), actor: ACTOR, change });
        const group = groupOutcome(result, idOf(req));
        send(res, 200, groupResource(group, await deps.store.directory.groupMembers(group.id), baseUrl(req)));
      },
      PATCH: async (req, res) => {
        const body = await jsonBody(req);
        const change = (current: { displayName: string; resource: Record<string, unknown> }, ids: string[]) => {
          const patched = applyPatch({ ...current.resource, displayName: current.displayName, members: ids.map((value) => ({ value })) }, body);
          return { ...storedGroup(patched), memberIds: memberIds(patched.members) };
        };
        groupOutcome(await updateDirectoryGroup(deps, { id: idOf(req), actor: ACTOR, change }), idOf(req));
        res.writeHead(204).end(); // what Entra ID expects; Okta accepts it too
      },
      DELETE: async (req, res) => {
        if (!(await removeDirectoryGroup(deps, { id: idOf(req), actor: ACTOR }))) throw notFound('Group', idOf(req));
        res.writeHead(204).end();
      },
    }),
    ...route('/Schemas', {
      GET: async (req, res) => {
        const all = scimSchemas(baseUrl(req));
        send(res, 200, listResponse(all, all.length, 1));
      },
    }),
    ...route('/Schemas/:id', {
      GET: async (req, res) => {
        const found = scimSchemas(baseUrl(req)).find((s) => s.id === idOf(req));
        if (!found) throw new ScimError(404, `Schema ${idOf(req)} not found`);
        send(res, 200, found);
      },
    }),
    ...route('/ResourceTypes', {
      GET: async (req, res) => {
        const all = scimResourceTypes(baseUrl(req));
        send(res, 200, listResponse(all, all.length, 1));
      },
    }),
    ...route('/ServiceProviderConfig', {
      GET: async (_req, res) =>
        send(res, 200, {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
          patch: { supported: true },
          bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
          filter: { supported: true, maxResults: 200 },
          changePassword: { supported: false },
          sort: { supported: false },
          etag: { supported: false },
          authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'The SCIM_TOKEN configured in Keycard' }],
        }),
    }),
  ];
}

/** Authentication, then the handler; every failure becomes an RFC 7644 §3.12 error body. */
function guarded(options: { token: string; deps: ServiceDeps; refusals: RefusalAuditor }, handler: Handler): Handler {
  return async (req, res) => {
    try {
      if (!hasBearer(req, options.token)) {
        options.refusals.record({ action: 'scim.auth_refused', subjectType: 'system', subjectId: 'scim', data: { reason: bearerProblem(req), method: req.method, path: pathOf(req) } }, clientAddress(req));
        throw new ScimError(401, 'A valid bearer token is required');
      }
      await handler(req, res);
    } catch (error) {
      if (res.headersSent) return;
      if (error instanceof ScimError) return send(res, error.status, error.body());
      if (error instanceof BodyTooLarge) return send(res, 413, new ScimError(413, error.message).body());
      options.deps.logger.error({ err: (error as Error).message, method: req.method, path: pathOf(req) }, 'SCIM request failed');
      send(res, 500, new ScimError(500, 'Keycard could not complete this request; nothing was changed or it is safe to retry').body());
    }
  };
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ScimError(400, 'The body is not valid JSON', 'invalidSyntax');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ScimError(400, 'The body must be a JSON object', 'invalidSyntax');
  return body as Record<string, unknown>;
}

async function userOutcome(result: Awaited<ReturnType<typeof updateDirectoryUser>>, id: string, render: (u: DirectoryUser) => Promise<Record<string, unknown>>) {
  if (result.status === 'not_found') throw notFound('User', id);
  if (result.status === 'conflict') throw new ScimError(409, 'Another user already has that userName', 'uniqueness');
  return render(result.user);
}

function groupOutcome(result: Awaited<ReturnType<typeof updateDirectoryGroup>>, id: string) {
  if (result.status === 'not_found') throw notFound('Group', id);
  if (result.status === 'conflict') throw new ScimError(409, 'Another group already has that displayName', 'uniqueness');
  return result.group;
}

const queryOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://keycard').searchParams;
const pathOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://keycard').pathname;
const idOf = (req: Request) => req.params?.id ?? '';
const excludesMembers = (query: URLSearchParams) => (query.get('excludedAttributes') ?? '').split(',').some((a) => a.trim().toLowerCase() === 'members');

/** This server's SCIM base URL as the client reached it, for `meta.location` and `Location`. */
function baseUrl(req: IncomingMessage): string {
  const proto = String(req.headers['x-forwarded-proto'] ?? 'http').split(',')[0]!.trim();
  return `${proto}://${req.headers.host ?? 'localhost'}${SCIM_BASE}`;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': CONTENT_TYPE, ...headers }).end(JSON.stringify(body));
}
