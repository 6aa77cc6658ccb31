import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { HttpFake, header, parseJsonBody, sendJson, type Failure, type FakeRequest, type RecordedCall } from './http-fake.js';
import { verifySigV4 } from './sigv4.js';

/**
 * A fake AWS IAM Identity Center (SSO Admin) and Identity Store on one port (vendor-api-shapes §3):
 * AWS JSON 1.1 — POST /, Content-Type application/x-amz-json-1.1, X-Amz-Target naming the operation, a
 * SigV4 signature recomputed with the test secret and scoped to the right service — and each input
 * checked against the model's required members and patterns (§3.0 table). Assignments are
 * asynchronous as at AWS: Create/Delete answer IN_PROGRESS and take effect after some Describe polls.
 */

export const AWS_TEST_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

const PATTERNS: Record<string, RegExp> = {
  InstanceArn: /^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/,
  PermissionSetArn: /^arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet\/(sso)?ins-[a-zA-Z0-9-.]{16}\/ps-[a-zA-Z0-9-./]{16}$/,
  TargetId: /^\d{12}$/,
  AccountId: /^\d{12}$/,
  TargetType: /^AWS_ACCOUNT$/,
  PrincipalType: /^(USER|GROUP)$/,
  PrincipalId: /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/,
  AccountAssignmentCreationRequestId: /^[a-fA-F0-9-]{36}$/,
  AccountAssignmentDeletionRequestId: /^[a-fA-F0-9-]{36}$/,
  NextToken: /^[-a-zA-Z0-9+=/_]{0,2048}$/,
  IdentityStoreId: /^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  UserId: /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/,
};

const ASSIGNMENT = ['InstanceArn', 'TargetId', 'TargetType', 'PermissionSetArn', 'PrincipalType', 'PrincipalId'];
/** Operation → [required members, optional members] (§3.1–3.6). */
const OPERATIONS: Record<string, [string[], string[]]> = {
  'SWBExternalService.CreateAccountAssignment': [ASSIGNMENT, []],
  'SWBExternalService.DeleteAccountAssignment': [ASSIGNMENT, []],
  'SWBExternalService.DescribeAccountAssignmentCreationStatus': [['InstanceArn', 'AccountAssignmentCreationRequestId'], []],
  'SWBExternalService.DescribeAccountAssignmentDeletionStatus': [['InstanceArn', 'AccountAssignmentDeletionRequestId'], []],
  'SWBExternalService.ListAccountAssignments': [['InstanceArn', 'AccountId', 'PermissionSetArn'], ['MaxResults', 'NextToken']],
  'AWSIdentityStore.GetUserId': [['IdentityStoreId', 'AlternateIdentifier'], []],
  'AWSIdentityStore.DescribeUser': [['IdentityStoreId', 'UserId'], []],
};

const STATUS_OF: Record<string, number> = {
  ValidationException: 400, AccessDeniedException: 403, ResourceNotFoundException: 404, ConflictException: 409,
  ServiceQuotaExceededException: 402, ThrottlingException: 429, InternalServerException: 500, UnrecognizedClientException: 400,
  InvalidSignatureException: 403, UnknownOperationException: 400,
};

interface AssignmentRequest {
  kind: 'create' | 'delete';
  key: string;
  input: Record<string, string>;
  status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  pollsLeft: number;
  failureReason?: string | undefined;
  createdDate: number;
}

export interface AwsFakeOptions {
  region: string;
  instanceArn: string;
  identityStoreId: string;
  permissionSets: string[];
  /** Describe polls an assignment request stays IN_PROGRESS for. */
  pollsUntilDone?: number;
  /** At most this many assignments per list page, whatever MaxResults asks ("may return fewer"). */
  maxPageSize?: number;
}

export class AwsFake {
  readonly http: HttpFake;
  /** user id → user */
  readonly users = new Map<string, { UserName: string; Emails: Array<{ Value: string; Type: string; Primary: boolean }> }>();
  /** `${account}|${permissionSetArn}|${type}|${principalId}` */
  readonly assignments = new Set<string>();
  readonly requests = new Map<string, AssignmentRequest>();
  private assignmentFailures: string[] = [];

  constructor(private readonly options: AwsFakeOptions) {
    this.http = new HttpFake((req, res) => this.handle(req, res), () => true, (status) => awsError(status === 429 ? 'ThrottlingException' : status >= 500 ? 'InternalServerException' : 'ValidationException', 'injected'));
  }

  start(): Promise<string> {
    return this.http.start();
  }
  stop(): Promise<void> {
    return this.http.stop();
  }
  failNext(failure: Failure, when?: (call: RecordedCall) => boolean): void {
    this.http.failNext(failure, when);
  }
  /** The next Create/Delete request ends FAILED with this FailureReason. */
  failNextAssignment(reason: string): void {
    this.assignmentFailures.push(reason);
  }

  addUser(userName: string, email = `${userName}@example.com`): string {
    const id = `906722a4f7-${randomUUID()}`;
    this.users.set(id, { UserName: userName, Emails: [{ Value: email, Type: 'work', Primary: true }] });
    return id;
  }

  holds(account: string, permissionSetArn: string, principalId: string): boolean {
    return this.assignments.has(`${account}|${permissionSetArn}|USER|${principalId}`);
  }

  private handle(req: FakeRequest, res: ServerResponse): void {
    const reply = (status: number, body: unknown) => sendJson(res, status, body, { 'x-amzn-requestid': randomUUID() }, 'application/x-amz-json-1.1');
    const fail = (type: string, message: string, violation = true) => {
      if (violation) req.violation(`${type}: ${message}`);
      reply(STATUS_OF[type] ?? 400, awsError(type, message));
    };
    // §3.0 wire rules.
    if (req.method !== 'POST' || req.path !== '/') return fail('UnknownOperationException', `${req.method} ${req.path} (every call is POST /)`);
    if (header(req, 'content-type') !== 'application/x-amz-json-1.1') return fail('UnknownOperationException', `Content-Type ${header(req, 'content-type')}`);
    const target = header(req, 'x-amz-target') ?? '';
    const operation = OPERATIONS[target];
    if (!operation) return fail('UnknownOperationException', `X-Amz-Target ${target}`);
    const service = target.startsWith('AWSIdentityStore.') ? 'identitystore' : 'sso';
    const signature = verifySigV4(req, { ...AWS_TEST_CREDENTIALS, region: this.options.region, service });
    if (signature) return fail('InvalidSignatureException', signature);

    const input = parseJsonBody(req) as Record<string, unknown> | undefined;
    if (!input || typeof input !== 'object') return fail('ValidationException', 'body is not a JSON object');
    const [required, optional] = operation;
    for (const name of required) if (input[name] === undefined) return fail('ValidationException', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
    for (const [name, value] of Object.entries(input)) {
      if (!required.includes(name) && !optional.includes(name)) return fail('ValidationException', `unexpected member ${name}`);
      const pattern = PATTERNS[name];
      if (pattern && (typeof value !== 'string' || !pattern.test(value))) return fail('ValidationException', `Value '${String(value)}' at '${name}' failed to satisfy constraint`);
    }
    if ('InstanceArn' in input && input.InstanceArn !== this.options.instanceArn) return fail('ResourceNotFoundException', 'Instance not found', false);
    if ('IdentityStoreId' in input && input.IdentityStoreId !== this.options.identityStoreId) return fail('ResourceNotFoundException', 'Identity store not found', false);
    if ('PermissionSetArn' in input && !this.options.permissionSets.includes(String(input.PermissionSetArn))) return fail('ResourceNotFoundException', 'Could not find PermissionSet', false);

    switch (target.split('.')[1]) {
      case 'GetUserId': {
        const unique = (input.AlternateIdentifier as { UniqueAttribute?: { AttributePath?: string; AttributeValue?: unknown } }).UniqueAttribute;
        // §3.6: "the only valid paths are userName and emails.value".
        if (!unique || !['userName', 'emails.value'].includes(unique.AttributePath ?? '')) return fail('ValidationException', 'AlternateIdentifier.UniqueAttribute with path userName or emails.value');
        const found = [...this.users].find(([, u]) => (unique.AttributePath === 'userName' ? u.UserName === unique.AttributeValue : u.Emails.some((e) => e.Value === unique.AttributeValue)));
        if (!found) return reply(404, { ...awsError('ResourceNotFoundException', 'USER not found.'), ResourceType: 'USER' });
        return reply(200, { IdentityStoreId: this.options.identityStoreId, UserId: found[0] });
      }
      case 'DescribeUser': {
        const user = this.users.get(String(input.UserId));
        if (!user) return reply(404, { ...awsError('ResourceNotFoundException', 'USER not found.'), ResourceType: 'USER', ResourceId: input.UserId });
        return reply(200, { IdentityStoreId: this.options.identityStoreId, UserId: input.UserId, ...user, UserStatus: 'ENABLED' });
      }
      case 'CreateAccountAssignment':
      case 'DeleteAccountAssignment': {
        if (input.PrincipalType === 'USER' && !this.users.has(String(input.PrincipalId))) return fail('ResourceNotFoundException', 'Principal not found', false);
        const kind = target.endsWith('CreateAccountAssignment') ? 'create' : 'delete';
        const request: AssignmentRequest = {
          kind,
          key: `${input.TargetId}|${input.PermissionSetArn}|${input.PrincipalType}|${input.PrincipalId}`,
          input: input as Record<string, string>,
          status: 'IN_PROGRESS',
          pollsLeft: this.options.pollsUntilDone ?? 1,
          failureReason: this.assignmentFailures.shift(),
          createdDate: Date.now() / 1000,
        };
        const id = randomUUID();
        this.requests.set(id, request);
        return reply(200, { [kind === 'create' ? 'AccountAssignmentCreationStatus' : 'AccountAssignmentDeletionStatus']: this.status(id, request) });
      }
      case 'DescribeAccountAssignmentCreationStatus':
      case 'DescribeAccountAssignmentDeletionStatus': {
        const creation = target.endsWith('CreationStatus');
        const id = String(input[creation ? 'AccountAssignmentCreationRequestId' : 'AccountAssignmentDeletionRequestId']);
        const request = this.requests.get(id);
        if (!request || (request.kind === 'create') !== creation) return fail('ResourceNotFoundException', `request ${id} not found`, false);
        if (request.status === 'IN_PROGRESS' && --request.pollsLeft <= 0) this.finish(request);
        return reply(200, { [creation ? 'AccountAssignmentCreationStatus' : 'AccountAssignmentDeletionStatus']: this.status(id, request) });
      }
      case 'ListAccountAssignments':
        return this.list(input, reply);
    }
  }

  /**
   * Applies a finished request. Creating an existing assignment or deleting an absent one is
   * undocumented (§6); this fake treats both as a no-op that SUCCEEDS.
   */
  private finish(request: AssignmentRequest): void {
    if (request.failureReason) {
      request.status = 'FAILED';
      return;
    }
    if (request.kind === 'create') this.assignments.add(request.key);
    else this.assignments.delete(request.key);
    request.status = 'SUCCEEDED';
  }

  private status(id: string, r: AssignmentRequest): Record<string, unknown> {
    const { TargetId, TargetType, PermissionSetArn, PrincipalType, PrincipalId } = r.input;
    return {
      Status: r.status, RequestId: id, TargetId, TargetType, PermissionSetArn, PrincipalType, PrincipalId, CreatedDate: r.createdDate,
      ...(r.status === 'FAILED' ? { FailureReason: r.failureReason } : {}),
    };
  }

  private list(input: Record<string, unknown>, reply: (status: number, body: unknown) => void): void {
    const max = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
    if (max < 1 || max > 100) return reply(400, awsError('ValidationException', 'MaxResults must be 1–100'));
    const matching = [...this.assignments].map((k) => k.split('|')).filter(([account, ps]) => account === input.AccountId && ps === input.PermissionSetArn);
    const start = input.NextToken ? Number(Buffer.from(String(input.NextToken), 'base64').toString()) : 0;
    const size = Math.min(max, this.options.maxPageSize ?? 100);
    const page = matching.slice(start, start + size).map(([AccountId, PermissionSetArn, PrincipalType, PrincipalId]) => ({ AccountId, PermissionSetArn, PrincipalType, PrincipalId }));
    const more = start + size < matching.length;
    reply(200, { AccountAssignments: page, ...(more ? { NextToken: Buffer.from(String(start + size)).toString('base64') } : {}) });
  }
}

export function awsError(type: string, message: string): Record<string, unknown> {
  return { __type: type, Message: message };
}

const answer = (type: string, message: string, extra: Record<string, string> = {}): Failure => ({
  status: STATUS_OF[type] ?? 400,
  headers: { 'content-type': 'application/x-amz-json-1.1', ...extra },
  body: awsError(type, message),
});

/** Failures as AWS sends them (§3.5), for tests and the conformance fixture. */
export const awsFailures = {
  throttled: (): Failure => answer('ThrottlingException', 'Rate exceeded'),
  /** Identity Store's ThrottlingException carries RetryAfterSeconds (§3.6). */
  identityThrottled: (seconds = 2): Failure => ({
    status: 429,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'retry-after': String(seconds) },
    body: { ...awsError('ThrottlingException', 'Rate exceeded'), RetryAfterSeconds: seconds },
  }),
  conflict: (): Failure => answer('ConflictException', 'Operation already in progress for this assignment'),
  internal: (): Failure => answer('InternalServerException', 'An internal failure occurred'),
  timeout: (): Failure => ({ hang: true }),
  accessDenied: (): Failure => answer('AccessDeniedException', 'User: arn:aws:iam::111122223333:role/keycard is not authorized to perform: sso:CreateAccountAssignment'),
  userNotFound: (): Failure => ({ status: 404, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: { ...awsError('ResourceNotFoundException', 'USER not found.'), ResourceType: 'USER' } }),
};
