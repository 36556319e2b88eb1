import { assertAccount } from '../account-rules.js';
import { OWNER_MARKER, type Account } from '../provisioner.js';

/** What a tenant gets on the object store: one bucket, reachable only with the tenant's keys. */
export interface ObjectStoreSpec {
  tenant: string;
  /** `tenant-<name>`: see `tenantBucketName`. */
  bucket: string;
  /** The access key (`username`) and secret (`password`) the operator generated for the tenant. */
  account: Account;
}

/** Where the object store's admin API is and the account that may use it (root on versitygw). */
export interface ObjectStoreServer {
  url: string;
  accessKey: string;
  secretKey: string;
  /** The region the server checks SigV4 signatures against. */
  region: string;
}

/** The tag every bucket the operator creates carries; a bucket without it is never adopted. */
export const BUCKET_MARKER_TAG = { Key: 'managed-by', Value: OWNER_MARKER } as const;

// Tenant names are DNS labels; with the prefix the bucket name stays within S3's 3-63 characters
// of lowercase letters, digits and hyphens.
const TENANT_NAME = /^[a-z0-9]([-a-z0-9]{0,54}[a-z0-9])?$/;

export function tenantBucketName(tenant: string): string {
  if (!TENANT_NAME.test(tenant)) throw new Error(`tenant name ${JSON.stringify(tenant)} is not a DNS label of at most 56 characters`);
  return `tenant-${tenant}`;
}

export function objectStoreSpec(tenant: string, account: Account): ObjectStoreSpec {
  return { tenant, bucket: tenantBucketName(tenant), account };
}

// Access keys travel in SigV4's `Credential=<key>/<date>/...` and in query strings: letters and
// digits only, as AWS's own (16 to 128 characters).
const ACCESS_KEY = /^[A-Za-z0-9]{16,128}$/;

/** A spec a caller built wrong is a programming error, not a server's refusal. */
export function assertObjectStoreSpec(spec: ObjectStoreSpec): void {
  if (spec.bucket !== tenantBucketName(spec.tenant)) throw new Error(`ObjectStoreSpec bucket ${JSON.stringify(spec.bucket)} must be ${tenantBucketName(spec.tenant)}`);
  if (!ACCESS_KEY.test(spec.account.username)) throw new Error(`ObjectStoreSpec access key ${JSON.stringify(spec.account.username)} must be 16 to 128 letters and digits`);
  assertAccount(spec.account, 'ObjectStoreSpec account');
}
