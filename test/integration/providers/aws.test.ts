import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsKind, AwsProvider } from '../../../src/providers/aws/aws-provider.js';
import { AWS_TEST_CREDENTIALS, AwsFake, awsFailures } from '../../support/fakes/aws-fake.js';
import { providerConformance, providerFailure } from './conformance.js';

const REGION = 'eu-west-1';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const PS = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222';
const ACCOUNT = '123456789012';
const SPEC = { account_id: ACCOUNT, permission_set_arn: PS };

async function startFake(options: { pollsUntilDone?: number; maxPageSize?: number } = {}): Promise<AwsFake> {
  const fake = new AwsFake({ region: REGION, instanceArn: INSTANCE, identityStoreId: 'd-1234567890', permissionSets: [PS], ...options });
  await fake.start();
  fake.addUser('ana');
  return fake;
}

function provider(fake: AwsFake, extra: Record<string, unknown> = {}): AwsProvider {
  return new AwsProvider(
    'aws',
    awsKind.configSchema.parse({
      region: REGION,
      instance_arn: INSTANCE,
      identity_store_id: 'd-1234567890',
      credentials: { access_key_id: AWS_TEST_CREDENTIALS.accessKeyId, secret_access_key: AWS_TEST_CREDENTIALS.secretAccessKey },
      endpoint: fake.http.url,
      identity_store_endpoint: fake.http.url,
      // The SDK's own retries would absorb a single injected fault; Keycard's backoff is what's under test.
      max_attempts: 1,
      timeout_ms: 1_000,
      poll_interval_ms: 10,
      ...extra,
    }),
  );
}

providerConformance({
  name: 'aws (IAM Identity Center account assignment)',
  available: async () => true,
  async setup() {
    const fake = await startFake({ pollsUntilDone: 2, maxPageSize: 1 });
    fake.assignments.add(`${ACCOUNT}|${PS}|USER|${fake.addUser('standing-sam')}`);
    const p = provider(fake);
    return {
      provider: p,
      identity: 'ana',
      spec: SPEC,
      injectRetryable: async () => fake.failNext(awsFailures.throttled()),
      injectPermanent: async () => fake.failNext(awsFailures.accessDenied()),
      async teardown() {
        await p.close();
        await fake.stop();
        expect(fake.http.violations).toEqual([]);
      },
    };
  },
});

describe('aws specifics', () => {
  let fake: AwsFake;
  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(async () => {
    await fake.stop();
  });
  afterEach(() => {
    expect(fake.http.violations).toEqual([]);
  });

  const targets = (from = 0) => fake.http.calls.slice(from).map((c) => String(c.headers['x-amz-target']).split('.')[1]);

  it('looks the user up, creates the assignment and polls until SUCCEEDED, with the documented wire format', async () => {
    const from = fake.http.calls.length;
    await provider(fake).grant('ana', SPEC);
    expect(targets(from)).toEqual(['GetUserId', 'ListAccountAssignments', 'CreateAccountAssignment', 'DescribeAccountAssignmentCreationStatus']);
    const create = fake.http.calls.find((c) => c.headers['x-amz-target'] === 'SWBExternalService.CreateAccountAssignment')!;
    expect(create.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(create.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sso\/aws4_request/);
    expect(JSON.parse(create.body)).toEqual({ InstanceArn: INSTANCE, TargetId: ACCOUNT, TargetType: 'AWS_ACCOUNT', PermissionSetArn: PS, PrincipalType: 'USER', PrincipalId: expect.any(String) });
    const lookup = fake.http.calls[from]!;
    expect(lookup.headers.authorization).toMatch(/\/identitystore\/aws4_request/);
    expect(JSON.parse(lookup.body)).toEqual({ IdentityStoreId: 'd-1234567890', AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'ana' } } });
    await provider(fake).revoke('ana', SPEC);
  });

  it('writes nothing when the assignment is already there', async () => {
    await provider(fake).grant('ana', SPEC);
    const from = fake.http.calls.length;
    await provider(fake).grant('ana', SPEC);
    expect(targets(from)).toEqual(['GetUserId', 'ListAccountAssignments']);
    await provider(fake).revoke('ana', SPEC);
  });

  it('classifies ThrottlingException (429) as retryable, with Identity Store’s Retry-After', async () => {
    fake.failNext(awsFailures.identityThrottled(7));
    const error = await providerFailure(provider(fake).grant('ana', SPEC));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.message).toMatch(/ThrottlingException/);
  });

  it('classifies ConflictException and InternalServerException as retryable, AccessDenied and Validation as permanent', async () => {
    const p = provider(fake);
    for (const [inject, retryable] of [[awsFailures.conflict(), true], [awsFailures.internal(), true], [awsFailures.accessDenied(), false]] as const) {
      fake.failNext(inject, (c) => c.headers['x-amz-target'] === 'SWBExternalService.CreateAccountAssignment');
      expect((await providerFailure(p.grant('ana', SPEC))).retryable).toBe(retryable);
    }
    const invalid = await providerFailure(p.grant('ana', { account_id: '12345', permission_set_arn: PS }));
    expect(invalid.retryable).toBe(false);
  });

  it('lets the SDK absorb one throttle when max_attempts allows it', async () => {
    fake.failNext(awsFailures.throttled());
    await provider(fake, { max_attempts: 3 }).listHolders(SPEC);
  });

  it('classifies a timeout as retryable', async () => {
    fake.failNext(awsFailures.timeout());
    const error = await providerFailure(provider(fake, { timeout_ms: 200 }).listHolders(SPEC));
    expect(error.retryable).toBe(true);
  });

  it('reports an unknown user as permanent on grant and as nothing to do on revoke', async () => {
    const error = await providerFailure(provider(fake).grant('nobody', SPEC));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/no user with userName "nobody"/);
    await provider(fake).revoke('nobody', SPEC);
  });

  it('a FAILED creation is permanent with AWS’s reason; a FAILED creation naming a conflict is retryable', async () => {
    fake.failNextAssignment('Received a 404 status error: Not supported policy arn:aws:iam::aws:policy/NoSuchPolicy');
    const permanent = await providerFailure(provider(fake).grant('ana', SPEC));
    expect(permanent.retryable).toBe(false);
    expect(permanent.message).toMatch(/Not supported policy/);
    fake.failNextAssignment('ConflictException: another assignment operation is in progress');
    expect((await providerFailure(provider(fake).grant('ana', SPEC))).retryable).toBe(true);
    expect(await provider(fake).listHolders(SPEC)).toEqual([]);
  });

  it('a FAILED deletion stays retryable: access that may still be held is never given up on', async () => {
    const p = provider(fake);
    await p.grant('ana', SPEC);
    fake.failNextAssignment('Request failed: unexpected error');
    expect((await providerFailure(p.revoke('ana', SPEC))).retryable).toBe(true);
    await p.revoke('ana', SPEC);
    expect(await p.listHolders(SPEC)).toEqual([]);
  });

  it('gives up waiting (retryably) when the request stays IN_PROGRESS past poll_timeout_ms', async () => {
    const slow = await startFake({ pollsUntilDone: 1_000 });
    try {
      const error = await providerFailure(provider(slow, { poll_timeout_ms: 150 }).grant('ana', SPEC));
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/still in progress/);
    } finally {
      await slow.stop();
    }
  });

  it('lists holders across pages (NextToken) as user names', async () => {
    const paged = await startFake({ maxPageSize: 2 });
    try {
      const names = ['bo', 'cy', 'di', 'ed', 'fy'];
      for (const n of names) paged.assignments.add(`${ACCOUNT}|${PS}|USER|${paged.addUser(n)}`);
      paged.assignments.add(`${ACCOUNT}|${PS}|GROUP|906722a4f7-00000000-0000-0000-0000-000000000000`);
      expect(await provider(paged).listHolders(SPEC)).toEqual(names);
      expect(paged.http.calls.filter((c) => String(c.headers['x-amz-target']).endsWith('ListAccountAssignments'))).toHaveLength(3);
      expect(paged.http.violations).toEqual([]);
    } finally {
      await paged.stop();
    }
  });

  it('validates config and grant blocks', () => {
    expect(awsKind.grantSchema.safeParse({ account_id: 123456789012, permission_set_arn: PS }).success).toBe(false);
    expect(awsKind.configSchema.safeParse({ region: 'env-placeholder://resolved-at-start', instance_arn: 'env-placeholder://resolved-at-start', identity_store_id: 'd-1234567890' }).success).toBe(true);
    expect(() => awsKind.create('bad', awsKind.configSchema.parse({ region: REGION, instance_arn: 'ssoins-1', identity_store_id: 'd-1234567890' }))).toThrow(/instance_arn/);
  });
});
