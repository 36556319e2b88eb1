import { describe, expect, it } from '@jest/globals';
import { assertObjectStoreSpec, objectStoreSpec, tenantBucketName } from './object-store-spec.js';

describe('object store names', () => {
  it('names the bucket tenant-<name>', () => {
    expect(tenantBucketName('acme')).toBe('tenant-acme');
    expect(objectStoreSpec('acme-eu', { username: 'AK', password: 'secret' })).toEqual({ tenant: 'acme-eu', bucket: 'tenant-acme-eu', account: { username: 'AK', password: 'secret' } });
  });

  it('refuses a tenant name that would not make a valid bucket name', () => {
    for (const bad of ['', 'Acme', 'acme_eu', '-acme', 'acme-', 'a.b', 'a'.repeat(57)]) {
      expect(() => tenantBucketName(bad)).toThrow(/not a DNS label/);
    }
    expect(tenantBucketName('a'.repeat(56))).toHaveLength(63);
  });

  it('refuses a spec built wrong: another bucket, an access key with other characters, a short secret', () => {
    const account = { username: 'NPT0123456789ABCDEF', password: 'x'.repeat(32) };
    expect(() => assertObjectStoreSpec(objectStoreSpec('acme', account))).not.toThrow();
    expect(() => assertObjectStoreSpec({ ...objectStoreSpec('acme', account), bucket: 'tenant-other' })).toThrow(/must be tenant-acme/);
    expect(() => assertObjectStoreSpec(objectStoreSpec('acme', { ...account, username: 'NPT0123/456789ABCDEF' }))).toThrow(/letters and digits/);
    expect(() => assertObjectStoreSpec(objectStoreSpec('acme', { ...account, password: 'short' }))).toThrow(/at least 16 printable ASCII/);
  });
});
