import { ENTERPRISE_USER, GROUP_SCHEMA, USER_SCHEMA } from './scim-resources.js';

/**
 * `/Schemas` and `/ResourceTypes` (RFC 7643 §6–7): the attributes Keycard keeps, so Entra ID's schema
 * discovery and its validator find every attribute they map. Values are camelCase and never null.
 */

type Attribute = Record<string, unknown>;

const attr = (name: string, options: Partial<{ type: string; multiValued: boolean; required: boolean; caseExact: boolean; mutability: string; returned: string; uniqueness: string; subAttributes: Attribute[]; description: string }> = {}): Attribute => ({
  name,
  type: options.type ?? 'string',
  multiValued: options.multiValued ?? false,
  description: options.description ?? name,
  required: options.required ?? false,
  caseExact: options.caseExact ?? false,
  mutability: options.mutability ?? 'readWrite',
  returned: options.returned ?? 'default',
  uniqueness: options.uniqueness ?? 'none',
  ...(options.subAttributes ? { subAttributes: options.subAttributes } : {}),
});

const schema = (id: string, name: string, description: string, attributes: Attribute[], base: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id,
  name,
  description,
  attributes,
  meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
});

export function scimSchemas(base: string): Array<Record<string, unknown>> {
  return [
    schema(USER_SCHEMA, 'User', 'User Account', [
      attr('userName', { required: true, uniqueness: 'server', description: 'Unique identifier, usually the sign-in email' }),
      attr('externalId', { caseExact: true }),
      attr('name', { type: 'complex', subAttributes: [attr('formatted'), attr('familyName'), attr('givenName'), attr('middleName')] }),
      attr('displayName'),
      attr('title'),
      attr('active', { type: 'boolean', description: 'False offboards the person in Keycard' }),
      attr('emails', { type: 'complex', multiValued: true, subAttributes: [attr('value'), attr('type'), attr('primary', { type: 'boolean' })] }),
      attr('groups', { type: 'complex', multiValued: true, mutability: 'readOnly', subAttributes: [attr('value', { mutability: 'readOnly' }), attr('display', { mutability: 'readOnly' })] }),
    ], base),
    schema(ENTERPRISE_USER, 'EnterpriseUser', 'Enterprise User', [
      attr('employeeNumber'),
      attr('department', { description: 'Kept for policy rules and reviewer routing' }),
      attr('manager', { type: 'complex', subAttributes: [attr('value', { description: 'The manager’s SCIM id' })], description: 'Used for reviewer: manager' }),
    ], base),
    schema(GROUP_SCHEMA, 'Group', 'Group', [
      attr('displayName', { required: true, uniqueness: 'server', description: 'Named in policy rules as directory:<displayName>' }),
      attr('externalId', { caseExact: true }),
      attr('members', { type: 'complex', multiValued: true, subAttributes: [attr('value', { mutability: 'immutable' }), attr('display', { mutability: 'readOnly' })] }),
    ], base),
  ];
}

export function scimResourceTypes(base: string): Array<Record<string, unknown>> {
  const type = (id: string, endpoint: string, schemaId: string, extensions: string[]) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id,
    name: id,
    endpoint,
    description: id,
    schema: schemaId,
    schemaExtensions: extensions.map((schemaUri) => ({ schema: schemaUri, required: false })),
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${id}` },
  });
  return [type('User', '/Users', USER_SCHEMA, [ENTERPRISE_USER]), type('Group', '/Groups', GROUP_SCHEMA, [])];
}
