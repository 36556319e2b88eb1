import { describe, expect, it } from '@jest/globals';
import { objectStoreSpec, tenantBucketName } from './object-store-spec.js';

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
});
