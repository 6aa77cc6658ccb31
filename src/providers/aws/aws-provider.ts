import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeUserCommand, GetUserIdCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  paginateListAccountAssignments,
  SSOAdminClient,
  type AccountAssignmentOperationStatus,
} from '@aws-sdk/client-sso-admin';
import { z } from 'zod';
import { parseSpec } from '../spec.js';
import { ProviderError, type Provider, type ProviderKind } from '../types.js';
import { classifyAwsError, classifyFailedAssignment } from './aws-errors.js';

const INSTANCE_ARN = /^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/;
const PERMISSION_SET_ARN = /^arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet\/(sso)?ins-[a-zA-Z0-9-.]{16}\/ps-[a-zA-Z0-9-./]{16}$/;

const configSchema = z.strictObject({
  region: z.string().min(1).describe('Region of the IAM Identity Center instance, e.g. eu-west-1'),
  instance_arn: z.string().min(1).describe('arn:aws:sso:::instance/ssoins-…'),
  identity_store_id: z.string().min(1).describe('d-… (the instance’s identity store)'),
  user_attribute: z.enum(['userName', 'emails.value']).default('userName').describe('Identity Store attribute the identity is matched against'),
  credentials: z
    .strictObject({
      access_key_id: z.string().min(1),
      secret_access_key: z.string().min(1),
      session_token: z.string().min(1).optional(),
    })
    .optional()
    .describe('Static keys; write env:VAR. Without them the AWS default chain is used (IRSA, instance role, AWS_* variables)'),
  endpoint: z.string().min(1).optional().describe('Override for the SSO Admin endpoint (VPC endpoint, tests)'),
  identity_store_endpoint: z.string().min(1).optional().describe('Override for the Identity Store endpoint'),
  max_attempts: z.number().int().min(1).max(10).default(3).describe('SDK attempts per call (1 leaves all retrying to Keycard)'),
  timeout_ms: z.number().int().min(100).max(60_000).default(10_000).describe('Per-request timeout'),
  poll_interval_ms: z.number().int().min(10).max(60_000).default(2_000).describe('Pause between assignment status checks'),
  poll_timeout_ms: z.number().int().min(100).max(300_000).default(45_000).describe('Give up waiting (retryably) after this long'),
});

const grantSchema = z.strictObject({
  account_id: z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id, quoted' }).describe('AWS account to assign in'),
  permission_set_arn: z.string().regex(PERMISSION_SET_ARN, { message: 'must be a permission set ARN arn:aws:sso:::permissionSet/ssoins-…/ps-…' }),
});

type Config = z.infer<typeof configSchema>;
type GrantSpec = z.infer<typeof grantSchema>;

/**
 * Grants an IAM Identity Center account assignment: a permission set in an AWS account for a user of
 * the identity store (§3). The identity is the user's userName (or email, by `user_attribute`),
 * resolved to its user id with GetUserId (§3.6). Assignments are asynchronous: Create/Delete start a
 * request that is polled until SUCCEEDED or FAILED. Whether creating an existing assignment (or
 * deleting a missing one) is a no-op is undocumented (§6), so both calls check the assignment list
 * first and write only when something would change.
 */
export class AwsProvider implements Provider {
  readonly kind = 'aws';
  private readonly sso: SSOAdminClient;
  private readonly ids: IdentitystoreClient;
  /** user id → identity; user ids never change, so listHolders needs DescribeUser once per holder. */
  private readonly names = new Map<string, string>();

  constructor(readonly name: string, private readonly config: Config) {
    if (!INSTANCE_ARN.test(config.instance_arn)) throw new Error('instance_arn must look like arn:aws:sso:::instance/ssoins-…');
    const c = config.credentials;
    const common = {
      region: config.region,
      maxAttempts: config.max_attempts,
      // throwOnRequestTimeout: without it the SDK only logs a breached request timeout and keeps waiting.
      requestHandler: { requestTimeout: config.timeout_ms, connectionTimeout: config.timeout_ms, throwOnRequestTimeout: true },
      ...(c ? { credentials: { accessKeyId: c.access_key_id, secretAccessKey: c.secret_access_key, sessionToken: c.session_token } } : {}),
    };
    this.sso = new SSOAdminClient({ ...common, ...(config.endpoint ? { endpoint: config.endpoint } : {}) });
    this.ids = new IdentitystoreClient({ ...common, ...(config.identity_store_endpoint ? { endpoint: config.identity_store_endpoint } : {}) });
  }

  async grant(identity: string, spec: Record<string, unknown>): Promise<void> {
    const target = parseSpec(grantSchema, spec, 'aws');
    const doing = `assign ${shortArn(target.permission_set_arn)} in account ${target.account_id} to ${identity}`;
    await this.call(doing, async () => {
      const principalId = await this.userId(identity);
      if (!principalId) throw new ProviderError(`AWS: cannot ${doing}: no user with ${this.config.user_attribute} "${identity}" in identity store ${this.config.identity_store_id}`, { retryable: false });
      if ((await this.assignedUsers(target)).has(principalId)) return;
      const { AccountAssignmentCreationStatus: status } = await this.sso.send(new CreateAccountAssignmentCommand(this.assignment(target, principalId)));
      await this.settle('create', status, doing);
    });
  }

  async revoke(identity: string, spec: Record<string, unknown>): Promise<void> {
    const target = parseSpec(grantSchema, spec, 'aws');
    const doing = `remove ${shortArn(target.permission_set_arn)} in account ${target.account_id} from ${identity}`;
    await this.call(doing, async () => {
      const principalId = await this.userId(identity);
      if (!principalId) return; // a user the identity store no longer has holds no assignment
      if (!(await this.assignedUsers(target)).has(principalId)) return;
      const { AccountAssignmentDeletionStatus: status } = await this.sso.send(new DeleteAccountAssignmentCommand(this.assignment(target, principalId)));
      await this.settle('delete', status, doing);
    });
  }

  /** Users assigned directly. Members of an assigned group are not expanded. */
  async listHolders(spec: Record<string, unknown>): Promise<string[]> {
    const target = parseSpec(grantSchema, spec, 'aws');
    return this.call(`list who holds ${shortArn(target.permission_set_arn)} in account ${target.account_id}`, async () => {
      const holders: string[] = [];
      for (const userId of await this.assignedUsers(target)) holders.push(await this.identityOf(userId));
      return holders.sort();
    });
  }

  async close(): Promise<void> {
    this.sso.destroy();
    this.ids.destroy();
  }

  private assignment(target: GrantSpec, principalId: string) {
    return {
      InstanceArn: this.config.instance_arn,
      TargetId: target.account_id,
      TargetType: 'AWS_ACCOUNT' as const,
      PermissionSetArn: target.permission_set_arn,
      PrincipalType: 'USER' as const,
      PrincipalId: principalId,
    };
  }

  /** Waits for an assignment request to finish (§3.3: no waiters are modelled, clients poll). */
  private async settle(operation: 'create' | 'delete', first: AccountAssignmentOperationStatus | undefined, doing: string): Promise<void> {
    const deadline = Date.now() + this.config.poll_timeout_ms;
    let status = first;
    while (status?.Status === 'IN_PROGRESS') {
      if (Date.now() >= deadline) {
        throw new ProviderError(`AWS: ${doing} is still in progress after ${this.config.poll_timeout_ms / 1000}s (request ${status.RequestId}); will check again`, { retryable: true });
      }
      await sleep(this.config.poll_interval_ms);
      status = await this.describe(operation, status.RequestId!);
    }
    if (status?.Status === 'SUCCEEDED') return;
    if (status?.Status === 'FAILED') throw classifyFailedAssignment(status.FailureReason, operation, doing);
    throw new ProviderError(`AWS: ${doing}: unexpected request status ${String(status?.Status)}`, { retryable: true });
  }

  private async describe(operation: 'create' | 'delete', requestId: string): Promise<AccountAssignmentOperationStatus | undefined> {
    const InstanceArn = this.config.instance_arn;
    if (operation === 'create') {
      const out = await this.sso.send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn, AccountAssignmentCreationRequestId: requestId }));
      return out.AccountAssignmentCreationStatus;
    }
    const out = await this.sso.send(new DescribeAccountAssignmentDeletionStatusCommand({ InstanceArn, AccountAssignmentDeletionRequestId: requestId }));
    return out.AccountAssignmentDeletionStatus;
  }

  private async assignedUsers(target: GrantSpec): Promise<Set<string>> {
    const users = new Set<string>();
    const pages = paginateListAccountAssignments(
      { client: this.sso, pageSize: 100 },
      { InstanceArn: this.config.instance_arn, AccountId: target.account_id, PermissionSetArn: target.permission_set_arn },
    );
    for await (const page of pages) {
      for (const a of page.AccountAssignments ?? []) if (a.PrincipalType === 'USER' && a.PrincipalId) users.add(a.PrincipalId);
    }
    return users;
  }

  /** §3.6 GetUserId by a unique attribute; null when the identity store has no such user. */
  private async userId(identity: string): Promise<string | null> {
    try {
      const out = await this.ids.send(
        new GetUserIdCommand({
          IdentityStoreId: this.config.identity_store_id,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: this.config.user_attribute, AttributeValue: identity } },
        }),
      );
      if (out.UserId) this.names.set(out.UserId, identity);
      return out.UserId ?? null;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return null;
      throw error;
    }
  }

  private async identityOf(userId: string): Promise<string> {
    const known = this.names.get(userId);
    if (known) return known;
    const user = await this.ids.send(new DescribeUserCommand({ IdentityStoreId: this.config.identity_store_id, UserId: userId }));
    const email = user.Emails?.find((e) => e.Primary)?.Value ?? user.Emails?.[0]?.Value;
    const identity = (this.config.user_attribute === 'userName' ? user.UserName : email) ?? userId;
    this.names.set(userId, identity);
    return identity;
  }

  private async call<T>(doing: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw classifyAwsError(error, doing);
    }
  }
}

/** `ps-…` is what people recognise in a message; the full ARN is in the grant block. */
function shortArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export const awsKind: ProviderKind<Config, GrantSpec> = {
  kind: 'aws',
  configSchema,
  grantSchema,
  create: (name, config) => new AwsProvider(name, config),
};
