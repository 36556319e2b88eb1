import { describe, expect, it } from '@jest/globals';
import { planTenant } from '../tenant/tenant-plan.js';
import { renderSettings, tenant } from '../tenant/test-tenant.js';
import { completeCredentials, credentialKey, renderCredentialsSecret, secretValues } from './tenant-credentials.js';

describe('tenant credentials', () => {
  it('generates every key once, crypto-random and in the forms the servers accept', () => {
    const { credentials, added } = completeCredentials(new Map());
    expect(added).toContain(credentialKey.amqp('gateway'));
    expect(added).toContain(credentialKey.database('form-builder'));
    expect(added).not.toContain(credentialKey.database('gateway'));
    expect(credentials.get(credentialKey.s3AccessKey)).toMatch(/^[A-Z0-9]{20}$/);
    expect(credentials.get(credentialKey.initialAdminPassword)).toMatch(/^[\w-]{32}$/);
    expect(Buffer.from(credentials.get(credentialKey.signingKeyEncryptionKey)!, 'base64url')).toHaveLength(32);
    expect(new Set(credentials.values()).size).toBe(credentials.size);
    expect(completeCredentials(new Map()).credentials.get(credentialKey.databaseOwner)).not.toBe(credentials.get(credentialKey.databaseOwner));
  });

  it('keeps what is stored and adds only what is missing', () => {
    const { credentials } = completeCredentials(new Map());
    const stored = new Map(credentials);
    stored.delete(credentialKey.amqpMonitor);
    const again = completeCredentials(stored);
    expect(again.added).toEqual([credentialKey.amqpMonitor]);
    expect(again.credentials.get(credentialKey.databaseOwner)).toBe(credentials.get(credentialKey.databaseOwner));
  });

  it('round-trips through the Secret the API server would hold', () => {
    const plan = planTenant(tenant({}), renderSettings);
    const { credentials } = completeCredentials(new Map());
    const secret = renderCredentialsSecret(plan, credentials);
    expect(secret.metadata).toMatchObject({ name: 'infrastructure-credentials', namespace: 'tenant-acme' });
    expect(secretValues(secret)).toEqual(credentials);
  });
});
