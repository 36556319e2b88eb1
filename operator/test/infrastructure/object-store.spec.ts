import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testS3Server } from '@np/testing';
import { NotOwnedError, ServerUnavailableError, type Account } from '../../src/infrastructure/provisioner.js';
import {
  objectStoreSpec,
  s3ErrorCode,
  VersitygwAdmin,
  VersitygwObjectStore,
  type ObjectStoreServer,
  type ObjectStoreSpec,
} from '../../src/infrastructure/object-store/index.js';
import { closedPort } from './support.js';

// Against the versitygw of tools/servers-up.sh (NP_S3_URL, NP_S3_ACCESS_KEY, NP_S3_SECRET_KEY).
const server: ObjectStoreServer = testS3Server();
const run = randomBytes(3).toString('hex');

/** Keys as the operator makes them: random, so they name one tenant only. */
function generatedAccount(): Account {
  return { username: `NPT${randomBytes(8).toString('hex').toUpperCase()}`, password: randomBytes(24).toString('base64url') };
}

/** A client holding a tenant's keys, as a module of that tenant would. */
function clientFor(account: Account): S3Client {
  return new S3Client({
    endpoint: server.url,
    region: server.region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: account.username, secretAccessKey: account.password },
  });
}

const root = clientFor({ username: server.accessKey, password: server.secretKey });

async function errorCodeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    return s3ErrorCode(error) ?? String(error);
  }
  return undefined;
}

async function putText(client: S3Client, bucket: string, key: string, text: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }));
}

async function getText(client: S3Client, bucket: string, key: string): Promise<string> {
  const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await Body?.transformToString()) ?? '';
}

async function bucketExists(bucket: string): Promise<boolean> {
  const { Buckets = [] } = await root.send(new ListBucketsCommand({}));
  return Buckets.some(({ Name }) => Name === bucket);
}


describe('versitygw object store provisioner (real versitygw)', () => {
  const provisioner = new VersitygwObjectStore(server);
  const admin = new VersitygwAdmin(server, { reads: 0, writes: 0 });
  const a: ObjectStoreSpec = objectStoreSpec(`s3a-${run}`, generatedAccount());
  const b: ObjectStoreSpec = objectStoreSpec(`s3b-${run}`, generatedAccount());
  const clientA = clientFor(a.account);
  const clientB = clientFor(b.account);

  beforeAll(async () => {
    await provisioner.ensure(a);
    await provisioner.ensure(b);
  });

  afterAll(async () => {
    await provisioner.remove(a).catch(() => undefined);
    await provisioner.remove(b).catch(() => undefined);
    provisioner.destroy();
    for (const client of [root, clientA, clientB]) client.destroy();
  });

  it('names the bucket tenant-<name> and refuses a name that is not a DNS label', () => {
    expect(a.bucket).toBe(`tenant-s3a-${run}`);
    expect(() => objectStoreSpec('Bad_Name', generatedAccount())).toThrow(/DNS label/);
  });

  it("gives each tenant's keys their own bucket and nothing else", async () => {
    await putText(clientA, a.bucket, 'hello.txt', 'from a');
    await putText(clientB, b.bucket, 'hello.txt', 'from b');
    expect(await getText(clientA, a.bucket, 'hello.txt')).toBe('from a');
    expect(await getText(clientB, b.bucket, 'hello.txt')).toBe('from b');

    expect(await errorCodeOf(getText(clientA, b.bucket, 'hello.txt'))).toBe('AccessDenied');
    expect(await errorCodeOf(putText(clientA, b.bucket, 'intruder.txt', 'x'))).toBe('AccessDenied');
    expect(await errorCodeOf(getText(clientB, a.bucket, 'hello.txt'))).toBe('AccessDenied');
    expect(await errorCodeOf(putText(clientB, a.bucket, 'intruder.txt', 'x'))).toBe('AccessDenied');
    // Nor can the keys make buckets of their own.
    expect(await errorCodeOf(clientA.send(new CreateBucketCommand({ Bucket: `np-extra-${run}` })))).toBe('AccessDenied');
    // Listing shows the tenant its own bucket only.
    const { Buckets = [] } = await clientA.send(new ListBucketsCommand({}));
    expect(Buckets.map(({ Name }) => Name)).toEqual([a.bucket]);
  });

  it('makes no write on a second ensure of a converged tenant', async () => {
    const before = { ...provisioner.calls };
    await provisioner.ensure(a);
    expect(provisioner.calls.writes).toBe(before.writes);
    // The bucket's tags, the user list and the bucket's ACL.
    expect(provisioner.calls.reads - before.reads).toBe(3);
  });

  it('creates a bucket deleted by hand again, owned by the tenant and marked', async () => {
    const spec = objectStoreSpec(`s3c-${run}`, generatedAccount());
    await provisioner.ensure(spec);
    await root.send(new DeleteBucketCommand({ Bucket: spec.bucket }));
    expect(await bucketExists(spec.bucket)).toBe(false);

    await provisioner.ensure(spec);
    const client = clientFor(spec.account);
    await putText(client, spec.bucket, 'back.txt', 'back');
    expect(await getText(client, spec.bucket, 'back.txt')).toBe('back');
    const writes = provisioner.calls.writes;
    await provisioner.ensure(spec);
    expect(provisioner.calls.writes).toBe(writes);
    await provisioner.remove(spec);
    client.destroy();
  });

  it("creates a user deleted by hand again, and its keys open the tenant's bucket again", async () => {
    await admin.deleteUser(a.account.username);
    expect(await errorCodeOf(getText(clientA, a.bucket, 'hello.txt'))).toBe('InvalidAccessKeyId');

    await provisioner.ensure(a);
    expect(await getText(clientA, a.bucket, 'hello.txt')).toBe('from a');
  });

  it('sets back a secret changed by hand and a bucket given to another user by hand', async () => {
    await admin.updateUser({ access: a.account.username, secret: 'changed-by-hand-0123456789', role: 'user' });
    await admin.changeBucketOwner(a.bucket, b.account.username);
    expect(await errorCodeOf(getText(clientA, a.bucket, 'hello.txt'))).toBe('SignatureDoesNotMatch');

    await provisioner.ensure(a);
    expect(await getText(clientA, a.bucket, 'hello.txt')).toBe('from a');
    expect(await errorCodeOf(getText(clientB, a.bucket, 'hello.txt'))).toBe('AccessDenied');
  });

  it('refuses a bucket of the same name that it did not create, with or without tags, and writes nothing', async () => {
    const untagged = objectStoreSpec(`s3d-${run}`, generatedAccount());
    const tagged = objectStoreSpec(`s3e-${run}`, generatedAccount());
    await root.send(new CreateBucketCommand({ Bucket: untagged.bucket }));
    await root.send(new CreateBucketCommand({ Bucket: tagged.bucket }));
    await root.send(new PutBucketTaggingCommand({ Bucket: tagged.bucket, Tagging: { TagSet: [{ Key: 'owner', Value: 'someone-else' }] } }));
    try {
      const writes = provisioner.calls.writes;
      await expect(provisioner.ensure(untagged)).rejects.toThrow(NotOwnedError);
      await expect(provisioner.ensure(tagged)).rejects.toThrow(`bucket ${tagged.bucket} exists and was not created by the operator`);
      expect(provisioner.calls.writes).toBe(writes);
      // remove leaves it alone too.
      await expect(provisioner.remove(untagged)).rejects.toThrow(NotOwnedError);
      expect(await bucketExists(untagged.bucket)).toBe(true);
    } finally {
      await root.send(new DeleteBucketCommand({ Bucket: untagged.bucket }));
      await root.send(new DeleteBucketCommand({ Bucket: tagged.bucket }));
    }
  });

  it('removes every object, incomplete multipart uploads, the bucket and the user', async () => {
    const spec = objectStoreSpec(`s3f-${run}`, generatedAccount());
    await provisioner.ensure(spec);
    const client = clientFor(spec.account);
    // More than one page of keys (1000 per page), nested keys and an upload never completed.
    const keys = Array.from({ length: 1005 }, (_, i) => `dir-${i % 7}/object-${i}.txt`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => putText(client, spec.bucket, key, key)));
    }
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: spec.bucket, Key: 'big.bin' }));
    await client.send(new UploadPartCommand({ Bucket: spec.bucket, Key: 'big.bin', UploadId, PartNumber: 1, Body: 'part' }));

    await provisioner.remove(spec);
    expect(await bucketExists(spec.bucket)).toBe(false);
    expect((await admin.listUsers()).map(({ access }) => access)).not.toContain(spec.account.username);
    expect(await errorCodeOf(client.send(new ListBucketsCommand({})))).toBe('InvalidAccessKeyId');

    // Nothing left is fine, and costs no write.
    const writes = provisioner.calls.writes;
    await provisioner.remove(spec);
    expect(provisioner.calls.writes).toBe(writes);
    client.destroy();
  });

  it('reports a server that is down as ServerUnavailableError with what the connection said', async () => {
    const down = new VersitygwObjectStore({ ...server, url: `http://127.0.0.1:${await closedPort()}` }, { maxAttempts: 1 });
    const spec = objectStoreSpec(`s3g-${run}`, generatedAccount());
    await expect(down.ensure(spec)).rejects.toThrow(ServerUnavailableError);
    await expect(down.ensure(spec)).rejects.toThrow(/ECONNREFUSED/);
    await expect(down.remove(spec)).rejects.toThrow(ServerUnavailableError);
    down.destroy();
  });

  it('reports a server that refuses the admin keys as ServerUnavailableError with its message', async () => {
    const refused = new VersitygwObjectStore({ ...server, secretKey: 'not-the-root-secret' }, { maxAttempts: 1 });
    const spec = objectStoreSpec(`s3h-${run}`, generatedAccount());
    const error = await refused.ensure(spec).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServerUnavailableError);
    expect((error as Error).message).toMatch(/SignatureDoesNotMatch/);
    refused.destroy();
  });
});
