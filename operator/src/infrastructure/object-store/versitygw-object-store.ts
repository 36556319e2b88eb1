import { NotOwnedError, type Provisioner, type ServerCalls } from '../provisioner.js';
import { s3ErrorCode, unavailable } from './object-store-errors.js';
import { assertObjectStoreSpec, BUCKET_MARKER_TAG, type ObjectStoreServer, type ObjectStoreSpec } from './object-store-spec.js';
import { S3Buckets, type S3ClientOptions } from './s3-buckets.js';
import { VersitygwAdmin, type VersitygwAdminOptions, type VersitygwUser } from './versitygw-admin.js';

export type VersitygwObjectStoreOptions = S3ClientOptions & VersitygwAdminOptions;

/**
 * A tenant's bucket on versitygw: a user of role `user` holding the tenant's keys, and bucket
 * `tenant-<name>` owned by that user and tagged with the operator's marker. A `user` reaches only
 * the buckets it owns and cannot create any, so the keys open that one bucket and nothing else.
 *
 * Users carry no marker on versitygw (an account is keys and a role): a user is recognised by its
 * access key, which the operator generated at random for this tenant, so an account with that key
 * is this tenant's and its secret and role are set back when they drifted.
 */
export class VersitygwObjectStore implements Provisioner<ObjectStoreSpec> {
  readonly kind = 'objectStore' as const;
  readonly calls: ServerCalls = { reads: 0, writes: 0 };
  private readonly buckets: S3Buckets;
  private readonly admin: VersitygwAdmin;

  constructor(
    private readonly server: ObjectStoreServer,
    options: VersitygwObjectStoreOptions = {},
  ) {
    this.buckets = new S3Buckets(server, this.calls, options);
    this.admin = new VersitygwAdmin(server, this.calls, options);
  }

  async ensure(spec: ObjectStoreSpec): Promise<void> {
    assertObjectStoreSpec(spec);
    const wanted: VersitygwUser = { access: spec.account.username, secret: spec.account.password, role: 'user' };
    // The bucket first: a name taken by someone else stops here, before any write.
    const state = await this.buckets.state(spec.bucket);
    if (state === 'unmarked') throw new NotOwnedError(this.kind, `bucket ${spec.bucket}`);
    await this.ensureUser(wanted);
    if (state === 'missing') {
      await this.createBucket(spec.bucket, wanted.access);
      return;
    }
    // A bucket handed to another account by hand goes back to the tenant's user.
    const owner = await this.buckets.owner(spec.bucket);
    if (owner !== wanted.access) await this.guard(`change owner of ${spec.bucket}`, () => this.admin.changeBucketOwner(spec.bucket, wanted.access));
  }

  async remove(spec: ObjectStoreSpec): Promise<void> {
    assertObjectStoreSpec(spec);
    const state = await this.buckets.state(spec.bucket);
    if (state === 'marked') await this.buckets.deleteWithContents(spec.bucket);
    const users = await this.guard('list users', () => this.admin.listUsers());
    if (users.some(({ access }) => access === spec.account.username)) {
      await this.guard(`delete user ${spec.account.username}`, () => this.admin.deleteUser(spec.account.username));
    }
    // The tenant's user is gone either way; a bucket of that name the operator did not create stays.
    if (state === 'unmarked') throw new NotOwnedError(this.kind, `bucket ${spec.bucket}`);
  }

  /** Closes the S3 client's connections. */
  destroy(): void {
    this.buckets.destroy();
  }

  private async ensureUser(wanted: VersitygwUser): Promise<void> {
    const users = await this.guard('list users', () => this.admin.listUsers());
    const found = users.find(({ access }) => access === wanted.access);
    if (!found) await this.guard(`create user ${wanted.access}`, () => this.admin.createUser(wanted));
    else if (found.secret !== wanted.secret || found.role !== wanted.role) await this.guard(`update user ${wanted.access}`, () => this.admin.updateUser(wanted));
  }

  private async createBucket(bucket: string, owner: string): Promise<void> {
    try {
      await this.admin.createBucket(bucket, owner, [BUCKET_MARKER_TAG]);
    } catch (error) {
      const code = s3ErrorCode(error);
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw unavailable(this.server.url, `create bucket ${bucket}`, error);
      // Created between the read and this create: by another reconcile of the same tenant (tagged,
      // and the next ensure checks its owner) or by someone else (untagged: refused).
      if ((await this.buckets.state(bucket)) === 'unmarked') throw new NotOwnedError(this.kind, `bucket ${bucket}`);
    }
  }

  private async guard<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw unavailable(this.server.url, action, error);
    }
  }
}
