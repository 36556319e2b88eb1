export { VersitygwObjectStore, type VersitygwObjectStoreOptions } from './versitygw-object-store.js';
export { objectStoreSpec, assertObjectStoreSpec, tenantBucketName, BUCKET_MARKER_TAG, type ObjectStoreSpec, type ObjectStoreServer } from './object-store-spec.js';
export { S3Buckets, type BucketState, type S3ClientOptions } from './s3-buckets.js';
export { VersitygwAdmin, type VersitygwUser, type VersitygwRole } from './versitygw-admin.js';
export { S3ErrorAnswer, s3ErrorCode } from './object-store-errors.js';
