import { describe, expect, it } from '@jest/globals';
import { planTenant } from '../tenant/tenant-plan.js';
import { renderSettings, tenant } from '../tenant/test-tenant.js';
import type { InfrastructureServers } from './infrastructure-settings.js';
import { completeCredentials } from './tenant-credentials.js';
import type { InfrastructureReport } from './tenant-infrastructure.js';
import { planSecrets } from './tenant-secrets.js';
import { identitySpec } from './tenant-specs.js';

const servers: InfrastructureServers = {
  messaging: { managementUrl: 'http://a:b@mq:15672', modulesAmqpUrl: 'amqp://mq:5672', modulesManagementUrl: 'http://mq:15672' },
  database: { adminUrl: 'postgresql://a:b@pg:5432/postgres', modulesUrl: 'postgresql://pg:5432/postgres' },
  objectStore: { server: { url: 'http://s3:7070', accessKey: 'ROOT', secretKey: 'root', region: 'us-east-1' }, modulesUrl: 'http://s3:7070' },
  identity: { admin: { url: 'http://kc:8080', username: 'a', password: 'b' }, modulesUrl: 'http://kc:8080', organization: { realm: 'np-tenants' } },
};
const plan = planTenant(tenant({ modules: [{ name: 'users' }, { name: 'files' }, { name: 'reports', enabled: false }] }), renderSettings);
const { credentials } = completeCredentials(new Map());
const identity = identitySpec(plan, credentials, servers.identity!);
const ok = { ok: true as const, message: 'in place' };
const down = { ok: false as const, reason: 'ServerUnavailable' as const, message: 'connect ECONNREFUSED' };
const all: InfrastructureReport = { messaging: ok, database: ok, objectStore: ok, identity: ok };
const names = (render: { secret: { metadata?: { name?: string } } }[]) => render.map(({ secret }) => secret.metadata?.name).sort();

describe('planSecrets', () => {
  it('renders every module\'s Secret (disabled ones too: their data is kept) and initial-admin when everything is provisioned', () => {
    const secrets = planSecrets(plan, credentials, all, servers, identity, () => false);
    expect(names(secrets.render)).toEqual(['auth-connections', 'files-connections', 'gateway-connections', 'initial-admin', 'reports-connections', 'users-connections']);
    expect(secrets.waiting.size).toBe(0);
  });

  it('gives no Secret to a module whose server failed, keeps one that exists, and leaves the others alone', () => {
    const storageDown: InfrastructureReport = { ...all, objectStore: down };
    const fresh = planSecrets(plan, credentials, storageDown, servers, identity, () => false);
    expect(names(fresh.render)).not.toContain('files-connections');
    expect(fresh.waiting).toEqual(new Map([['files', ['objectStore']]]));
    const existing = planSecrets(plan, credentials, storageDown, servers, identity, (name) => name === 'files-connections');
    expect(existing.keep).toEqual(['files-connections']);
    expect(existing.waiting.size).toBe(0);
  });

  it('holds back every module and initial-admin while the identity provider fails, and a disabled module waits for nothing', () => {
    const identityDown: InfrastructureReport = { ...all, identity: down };
    const secrets = planSecrets(plan, credentials, identityDown, servers, undefined, () => false);
    expect(secrets.render).toEqual([]);
    expect([...secrets.waiting.keys()]).toEqual(['gateway', 'auth', 'users', 'files']);
    expect(secrets.waiting.get('files')).toEqual(['identity']);
  });
});
