import { describe, expect, it } from '@jest/globals';
import { planTenant } from '../tenant/tenant-plan.js';
import { renderSettings, tenant } from '../tenant/test-tenant.js';
import { connectionValues, kindsNeeded, renderConnectionsSecret } from './connection-secrets.js';
import type { InfrastructureServers } from './infrastructure-settings.js';
import { completeCredentials, credential, credentialKey } from './tenant-credentials.js';
import { identitySpec } from './tenant-specs.js';

const servers: InfrastructureServers = {
  messaging: { managementUrl: 'http://admin:secret@mq.infra:15672', modulesAmqpUrl: 'amqp://ignored:ignored@rabbitmq.infra:5672/np', modulesManagementUrl: 'http://mq.infra:15672' },
  database: { adminUrl: 'postgresql://admin:secret@pg.infra:5432/postgres', modulesUrl: 'postgresql://x:y@postgres.infra:5432/postgres?sslmode=require' },
  objectStore: { server: { url: 'http://s3.infra:7070', accessKey: 'ROOT', secretKey: 'root-secret', region: 'eu-west-1' }, modulesUrl: 'http://s3.infra:7070/' },
  identity: {
    admin: { url: 'http://kc.infra:8080', username: 'admin', password: 'secret' },
    modulesUrl: 'http://keycloak.infra:8080/',
    organization: { realm: 'np-tenants', gatewaySecret: 'shared-gateway-secret-0123', usersSecret: 'shared-users-secret-01234' },
  },
};
const plan = planTenant(tenant({ modules: [{ name: 'users' }, { name: 'files' }] }), renderSettings);
const { credentials } = completeCredentials(new Map([[credentialKey.amqp('users'), 'p@ss/word:with%chars']]));
const context = { plan, credentials, servers, identity: identitySpec(plan, credentials, servers.identity!) };
const keysOf = (module: Parameters<typeof connectionValues>[0]) => [...connectionValues(module, context).keys()].sort();
const EVERY_PROCESS = ['NP_AMQP_URL', 'NP_AUDIENCE', 'NP_IDENTITY_PROVIDER', 'NP_ISSUER', 'NP_JWKS_URL', 'NP_TENANT'];

describe('the connections Secrets (the environment contract)', () => {
  it('holds exactly each module\'s keys: S3 keys for files only, the Keycloak clients for auth and users only', () => {
    expect(keysOf('gateway')).toEqual(EVERY_PROCESS);
    expect(keysOf('auth')).toEqual(
      [...EVERY_PROCESS, 'NP_DATABASE_URL', 'NP_KEYCLOAK_CLIENT_ID', 'NP_KEYCLOAK_CLIENT_SECRET', 'NP_KEYCLOAK_REALM', 'NP_KEYCLOAK_URL', 'NP_SIGNING_KEY_ENCRYPTION_KEY'].sort(),
    );
    expect(keysOf('users')).toEqual([...EVERY_PROCESS, 'NP_DATABASE_URL', 'NP_KEYCLOAK_REALM', 'NP_KEYCLOAK_URL', 'NP_KEYCLOAK_USERS_CLIENT_ID', 'NP_KEYCLOAK_USERS_CLIENT_SECRET'].sort());
    expect(keysOf('files')).toEqual([...EVERY_PROCESS, 'NP_DATABASE_URL', 'NP_S3_ACCESS_KEY', 'NP_S3_BUCKET', 'NP_S3_REGION', 'NP_S3_SECRET_KEY', 'NP_S3_URL'].sort());
  });

  it('gives files the tenant\'s storage quota and largest file in bytes, and neither when the Tenant sets none', () => {
    const quoted = planTenant(tenant({ modules: [{ name: 'files' }], storage: { quota: '10Gi', maxFileSize: '25Mi' } }), renderSettings);
    expect(connectionValues('files', { ...context, plan: quoted }).get('NP_FILES_QUOTA_BYTES')).toBe(String(10 * 2 ** 30));
    expect(connectionValues('files', { ...context, plan: quoted }).get('NP_FILES_MAX_BYTES')).toBe(String(25 * 2 ** 20));
    expect(connectionValues('files', context).has('NP_FILES_QUOTA_BYTES')).toBe(false);
    expect(connectionValues('files', context).has('NP_FILES_MAX_BYTES')).toBe(false);
  });

  it('builds URLs from the modules\' addresses with the module\'s own login, encoded', () => {
    const users = connectionValues('users', context);
    const amqp = new URL(users.get('NP_AMQP_URL')!);
    expect(`${amqp.protocol}//${amqp.host}`).toBe('amqp://rabbitmq.infra:5672');
    expect(decodeURIComponent(amqp.username)).toBe('tenant-acme.users');
    expect(decodeURIComponent(amqp.password)).toBe('p@ss/word:with%chars');
    expect(decodeURIComponent(amqp.pathname.slice(1))).toBe('tenant-acme');
    const database = new URL(users.get('NP_DATABASE_URL')!);
    expect(database.host).toBe('postgres.infra:5432');
    expect(database.username).toBe('tenant_acme_users');
    expect(database.pathname).toBe('/tenant_acme');
    expect(database.searchParams.get('sslmode')).toBe('require');
    expect(users.get('NP_ISSUER')).toBe('http://keycloak.infra:8080/realms/tenant-acme');
    expect(users.get('NP_JWKS_URL')).toBe('http://keycloak.infra:8080/realms/tenant-acme/protocol/openid-connect/certs');
    expect(users.get('NP_KEYCLOAK_URL')).toBe('http://keycloak.infra:8080');
    const files = connectionValues('files', context);
    expect(files.get('NP_S3_URL')).toBe('http://s3.infra:7070');
    expect(files.get('NP_S3_BUCKET')).toBe('tenant-acme');
    expect(files.get('NP_S3_REGION')).toBe('eu-west-1');
  });

  it('gives backoffice the management API as the tenant\'s monitoring user, never as the administrator', () => {
    const management = new URL(connectionValues('backoffice', context).get('NP_AMQP_MANAGEMENT_URL')!);
    expect(`${management.protocol}//${management.host}`).toBe('http://mq.infra:15672');
    expect(decodeURIComponent(management.username)).toBe('tenant-acme.monitor');
    expect(decodeURIComponent(management.password)).toBe(credential(credentials, credentialKey.amqpMonitor));
    for (const module of ['gateway', 'auth', 'users', 'files'] as const) expect(connectionValues(module, context).has('NP_AMQP_MANAGEMENT_URL')).toBe(false);
  });

  it('gives organization-mode modules the shared realm and its shared client secrets', () => {
    const organization = planTenant(tenant({ identity: { mode: 'organization' }, modules: [{ name: 'users' }] }), renderSettings);
    const identity = identitySpec(organization, credentials, servers.identity!);
    const users = connectionValues('users', { plan: organization, credentials, servers, identity });
    expect(users.get('NP_KEYCLOAK_REALM')).toBe('np-tenants');
    expect(users.get('NP_ISSUER')).toBe('http://keycloak.infra:8080/realms/np-tenants');
    expect(users.get('NP_KEYCLOAK_USERS_CLIENT_SECRET')).toBe('shared-users-secret-01234');
    expect(() => identitySpec(organization, credentials, { ...servers.identity!, organization: { realm: 'np-tenants' } })).toThrow(/NP_OPERATOR_ORGANIZATION_GATEWAY_SECRET/);
  });

  it('renders a Secret owned by the Tenant with the values base64-encoded, and names the kinds each module needs', () => {
    const secret = renderConnectionsSecret('files', context) as { metadata: { name: string; namespace: string; labels: Record<string, string> }; data: Record<string, string>; type: string };
    expect(secret.metadata).toMatchObject({ name: 'files-connections', namespace: 'tenant-acme', labels: { 'platform.np.dev/module': 'files' } });
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data.NP_TENANT!, 'base64').toString()).toBe('acme');
    expect(kindsNeeded('gateway')).toEqual(['messaging', 'identity']);
    expect(kindsNeeded('users')).toEqual(['messaging', 'identity', 'database']);
    expect(kindsNeeded('files')).toEqual(['messaging', 'identity', 'database', 'objectStore']);
  });
});
