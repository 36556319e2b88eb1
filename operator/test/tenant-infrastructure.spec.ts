import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { V1Deployment, V1Secret } from '@kubernetes/client-node';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { RunningOperator } from '../src/operator.js';
import type { Tenant, TenantCondition, TenantSpec } from '../src/api/tenant.js';
import { s3ErrorCode } from '../src/infrastructure/object-store/index.js';
import type { TenantController } from '../src/tenant/tenant-controller.js';
import { planTenant } from '../src/tenant/tenant-plan.js';
import { renderSettingsFrom } from '../src/settings.js';
import { amqpOpen } from './infrastructure/amqp-handshake.js';
import { passwordGrant, serviceAccountAdmin, testKeycloakSettings } from './infrastructure/support/keycloak.js';
import { clusterClients, createTenant, deleteTenant, eventually, installCrd, readTenant, waitForReady, type ClusterClients } from './support/cluster.js';
import { metricSum } from './support/metrics.js';
import { startTestOperator, testSettings } from './support/operator-process.js';
import {
  adminQuery,
  asModule,
  bucketExists,
  databaseExists,
  deleteBucketByHand,
  getText,
  keycloakHand,
  management,
  objectStoreUserExists,
  putText,
  rabbitUserExists,
  realmExists,
  rolesLike,
  s3Client,
  versitygw,
  vhostExists,
} from './support/servers.js';
import { TenantInfrastructure } from '../src/provisioning/tenant-infrastructure.js';
import { infrastructureSettingsFrom } from '../src/provisioning/infrastructure-settings.js';
import { secretValues } from '../src/provisioning/tenant-credentials.js';

// Realms, databases and logins on one 2-core machine take seconds each.
jest.setTimeout(240_000);

const RUN = randomBytes(3).toString('hex');
const A = `infra-a-${RUN}`;
const B = `infra-b-${RUN}`;
const C = `infra-c-${RUN}`;
const D = `infra-org-${RUN}`;
const FOREIGN_NS = `infra-ns-${RUN}`;
const FOREIGN_REALM = `infra-kc-${RUN}`;
const SHARED_REALM = `np-org-${RUN}`;
const ORGANIZATION = {
  NP_OPERATOR_ORGANIZATION_REALM: SHARED_REALM,
  NP_OPERATOR_ORGANIZATION_GATEWAY_SECRET: randomBytes(24).toString('base64url'),
  NP_OPERATOR_ORGANIZATION_USERS_SECRET: randomBytes(24).toString('base64url'),
};
const keycloak = testKeycloakSettings();

let clients: ClusterClients;
let operator: RunningOperator;
let controller: TenantController;
/** B's credentials, read before B is deleted with Retain, to clean its share of the servers up afterwards. */
let retainedCredentials: Map<string, string> | undefined;

const ns = (tenant: string) => `tenant-${tenant}`;
const db = (tenant: string) => `tenant_${tenant.replaceAll('-', '_')}`;

async function secret(tenant: string, name: string): Promise<Map<string, string> | undefined> {
  try {
    return secretValues(await clients.core.readNamespacedSecret({ name, namespace: ns(tenant) }));
  } catch {
    return undefined;
  }
}

async function connections(tenant: string, module: string): Promise<Map<string, string>> {
  const values = await secret(tenant, `${module}-connections`);
  if (!values) throw new Error(`${module}-connections of ${tenant} is missing`);
  return values;
}

function need(values: Map<string, string>, key: string): string {
  const value = values.get(key);
  if (!value) throw new Error(`${key} is missing`);
  return value;
}

async function secretNames(tenant: string): Promise<string[]> {
  const list = await clients.core.listNamespacedSecret({ namespace: ns(tenant) });
  return list.items.map((item: V1Secret) => item.metadata?.name ?? '').sort();
}

async function condition(tenant: string, type: string): Promise<TenantCondition | undefined> {
  return (await readTenant(clients, tenant))?.status?.conditions?.find((entry) => entry.type === type);
}

async function eventsOf(tenant: string): Promise<{ reason?: string; message?: string }[]> {
  const events = await clients.core.listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${tenant}` });
  return events.items.map(({ reason, message }) => ({ reason, message }));
}

async function adminToken(tenant: string, realm = `tenant-${tenant}`): Promise<string> {
  const admin = await secret(tenant, 'initial-admin');
  const auth = await connections(tenant, 'auth');
  const answer = await passwordGrant(keycloak, realm, { clientId: 'gateway', secret: need(auth, 'NP_KEYCLOAK_CLIENT_SECRET') }, { username: need(admin!, 'email'), password: need(admin!, 'password') });
  expect(answer.status).toBe(200);
  return answer.body.access_token!;
}

function spec(tenant: string, overrides: Partial<TenantSpec> = {}): TenantSpec {
  return { adminEmail: `admin@${tenant}.example.com`, deletionPolicy: 'Delete', modules: [{ name: 'users' }, { name: 'files' }], ...overrides };
}

beforeAll(async () => {
  clients = clusterClients();
  await installCrd(clients);
  operator = await startTestOperator(ORGANIZATION);
  controller = (await operator.leading)!;
}, 120_000);

afterAll(async () => {
  for (const name of [A, B, C, D, FOREIGN_NS, FOREIGN_REALM]) await deleteTenant(clients, name);
  await eventually('the suite\'s Tenants are gone', async () => (await Promise.all([A, B, C, D, FOREIGN_NS, FOREIGN_REALM].map((name) => readTenant(clients, name)))).every((tenant) => !tenant), 120_000).catch(() => undefined);
  await operator?.stop();
  versitygw('start');
  await clients.core.deleteNamespace({ name: ns(FOREIGN_NS) }).catch(() => undefined);
  const hand = await keycloakHand();
  for (const realm of [`tenant-${FOREIGN_REALM}`, SHARED_REALM]) await hand.realms.del({ realm }, { catchNotFound: true });
  if (retainedCredentials) {
    // What Retain kept, removed the way Delete would have.
    const infrastructure = new TenantInfrastructure(infrastructureSettingsFrom(testSettings()));
    const plan = planTenant({ apiVersion: 'platform.np.dev/v1alpha1', kind: 'Tenant', metadata: { name: B }, spec: spec(B) } as Tenant, renderSettingsFrom(testSettings(), { keda: false }));
    await infrastructure.remove(plan, retainedCredentials);
    await infrastructure.close();
  }
}, 240_000);

describe('a Tenant gets its own share of every server', () => {
  it('two tenants each get a vhost, a database, a bucket, a realm, and per module a Secret with exactly its connections', async () => {
    await createTenant(clients, A, spec(A));
    await createTenant(clients, B, spec(B, { deletionPolicy: 'Retain', modules: [{ name: 'users' }] }));
    const [tenantA] = await Promise.all([waitForReady(clients, A, 180_000), waitForReady(clients, B, 180_000)]);
    expect(tenantA.status?.conditions?.filter((entry) => entry.type.endsWith('Ready')).map((entry) => [entry.type, entry.status, entry.reason])).toEqual([
      ['Ready', 'True', 'TenantReady'],
      ['NamespaceReady', 'True', 'NamespaceActive'],
      ['ModulesReady', 'True', 'ModulesAvailable'],
      ['IngressReady', 'True', 'NotRequested'],
      ['MessagingReady', 'True', 'Provisioned'],
      ['DatabaseReady', 'True', 'Provisioned'],
      ['StorageReady', 'True', 'Provisioned'],
      ['IdentityReady', 'True', 'Provisioned'],
      // No module scales on its queues here (and the control plane has no KEDA).
      ['ScalingReady', 'True', 'CpuOnly'],
    ]);

    for (const tenant of [A, B]) {
      expect(await vhostExists(`tenant-${tenant}`)).toBe(true);
      expect(await databaseExists(db(tenant))).toBe(true);
      expect(await bucketExists(`tenant-${tenant}`)).toBe(true);
      expect(await realmExists(`tenant-${tenant}`)).toBe(true);
    }
    expect(await secretNames(A)).toEqual(['auth-connections', 'files-connections', 'gateway-connections', 'infrastructure-credentials', 'initial-admin', 'users-connections']);
    expect(await secretNames(B)).toEqual(['auth-connections', 'gateway-connections', 'infrastructure-credentials', 'initial-admin', 'users-connections']);

    const everyProcess = ['NP_AMQP_URL', 'NP_AUDIENCE', 'NP_IDENTITY_PROVIDER', 'NP_ISSUER', 'NP_JWKS_URL', 'NP_TENANT'];
    const keys = async (module: string) => [...(await connections(A, module)).keys()].sort();
    expect(await keys('gateway')).toEqual(everyProcess);
    expect(await keys('auth')).toEqual(
      [...everyProcess, 'NP_DATABASE_URL', 'NP_KEYCLOAK_CLIENT_ID', 'NP_KEYCLOAK_CLIENT_SECRET', 'NP_KEYCLOAK_REALM', 'NP_KEYCLOAK_URL', 'NP_SIGNING_KEY_ENCRYPTION_KEY'].sort(),
    );
    expect(await keys('users')).toEqual(
      [...everyProcess, 'NP_DATABASE_URL', 'NP_KEYCLOAK_REALM', 'NP_KEYCLOAK_URL', 'NP_KEYCLOAK_USERS_CLIENT_ID', 'NP_KEYCLOAK_USERS_CLIENT_SECRET'].sort(),
    );
    expect(await keys('files')).toEqual([...everyProcess, 'NP_DATABASE_URL', 'NP_S3_ACCESS_KEY', 'NP_S3_BUCKET', 'NP_S3_REGION', 'NP_S3_SECRET_KEY', 'NP_S3_URL'].sort());
    const users = await connections(A, 'users');
    expect(users.get('NP_TENANT')).toBe(A);
    expect(users.get('NP_ISSUER')).toBe(`${keycloak.url}/realms/tenant-${A}`);
    expect(users.get('NP_JWKS_URL')).toBe(`${keycloak.url}/realms/tenant-${A}/protocol/openid-connect/certs`);
    expect(users.get('NP_AUDIENCE')).toBe('gateway');
    expect(users.get('NP_KEYCLOAK_USERS_CLIENT_ID')).toBe('users');
    expect((await connections(A, 'files')).get('NP_S3_BUCKET')).toBe(`tenant-${A}`);
    expect(await secret(A, 'initial-admin')).toEqual(new Map([['email', `admin@${A}.example.com`], ['password', expect.stringMatching(/^[\w-]{32}$/) as unknown as string]]));

    for (const module of ['gateway', 'auth', 'users', 'files']) {
      const deployment: V1Deployment = await clients.apps.readNamespacedDeployment({ name: module, namespace: ns(A) });
      expect(deployment.spec?.template.spec?.containers[0]?.envFrom).toContainEqual({ secretRef: { name: `${module}-connections`, optional: false } });
    }
  });

  it("opens A's vhost, database and bucket with A's module credentials and refuses them on B's", async () => {
    const users = await connections(A, 'users');
    const amqp = new URL(need(users, 'NP_AMQP_URL'));
    expect(await amqpOpen(amqp.toString())).toBe('open-ok');
    const elsewhere = new URL(amqp);
    elsewhere.pathname = `/${encodeURIComponent(`tenant-${B}`)}`;
    expect(await amqpOpen(elsewhere.toString())).toEqual({ code: 530, text: `NOT_ALLOWED - access to vhost 'tenant-${B}' refused for user '${decodeURIComponent(amqp.username)}'` });

    const databaseUrl = need(users, 'NP_DATABASE_URL');
    await expect(asModule(databaseUrl, async (client) => (await client.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]?.schema)).resolves.toBe('users');
    await expect(asModule(databaseUrl, (client) => client.query('SELECT 1'), db(B))).rejects.toMatchObject({ code: '42501', message: `permission denied for database "${db(B)}"` });

    const files = await connections(A, 'files');
    const s3 = s3Client({ accessKeyId: need(files, 'NP_S3_ACCESS_KEY'), secretAccessKey: need(files, 'NP_S3_SECRET_KEY') }, need(files, 'NP_S3_URL'));
    try {
      await putText(s3, `tenant-${A}`, 'hello.txt', 'hello from A');
      expect(await getText(s3, `tenant-${A}`, 'hello.txt')).toBe('hello from A');
      const refused = await s3.send(new ListObjectsV2Command({ Bucket: `tenant-${B}` })).catch((error: unknown) => error);
      expect(s3ErrorCode(refused)).toBe('AccessDenied');
      const writeRefused = await putText(s3, `tenant-${B}`, 'intruder.txt', 'no').catch((error: unknown) => error);
      expect(s3ErrorCode(writeRefused)).toBe('AccessDenied');
    } finally {
      s3.destroy();
    }
  });

  it("logs the first admin in through A's realm with role admin, and A's users client manages A's users only", async () => {
    const token = await adminToken(A);
    const jwks = createRemoteJWKSet(new URL(need(await connections(A, 'gateway'), 'NP_JWKS_URL')));
    const { payload } = await jwtVerify(token, jwks, { issuer: `${keycloak.url}/realms/tenant-${A}`, audience: 'gateway' });
    expect(payload).toMatchObject({ tenant: A });
    expect(payload.roles).toEqual(expect.arrayContaining(['admin']));
    // B's JWKS does not know A's keys.
    const jwksB = createRemoteJWKSet(new URL(need(await connections(B, 'gateway'), 'NP_JWKS_URL')));
    await expect(jwtVerify(token, jwksB)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });

    const users = await connections(A, 'users');
    const admin = await serviceAccountAdmin(keycloak, `tenant-${A}`, { clientId: need(users, 'NP_KEYCLOAK_USERS_CLIENT_ID'), secret: need(users, 'NP_KEYCLOAK_USERS_CLIENT_SECRET') });
    expect(await admin.users.find({ realm: `tenant-${A}`, username: `admin@${A}.example.com`, exact: true })).toHaveLength(1);
    await expect(admin.users.find({ realm: `tenant-${B}` })).rejects.toMatchObject({ response: { status: 403 } });
  });

  it('writes nothing on a full resync of converged Tenants: not to the API server, not to any server', async () => {
    await Promise.all([waitForReady(clients, A), waitForReady(clients, B)]);
    // Let the status of the last changes settle before counting.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const kubernetesWrites = await metricSum(operator.registry, 'np_operator_api_writes_total');
    const before = controller.infrastructure.calls();
    const reconciles = await metricSum(operator.registry, 'controller_runtime_reconcile_total', { controller: 'tenant' });
    const tenants = controller.caches.tenants.list().length;
    controller.resyncAll();
    await eventually('the resync reconciled every Tenant', async () =>
      (await metricSum(operator.registry, 'controller_runtime_reconcile_total', { controller: 'tenant' })) >= reconciles + tenants,
    );
    const after = controller.infrastructure.calls();
    for (const kind of ['messaging', 'database', 'objectStore', 'identity'] as const) {
      expect({ kind, writes: after[kind].writes }).toEqual({ kind, writes: before[kind].writes });
      expect(after[kind].reads).toBeGreaterThan(before[kind].reads);
    }
    expect(await metricSum(operator.registry, 'np_operator_api_writes_total')).toBe(kubernetesWrites);
  });

  it('brings back what was deleted by hand: the vhost, the database, the bucket, the realm and a module Secret', async () => {
    await management(`/vhosts/${encodeURIComponent(`tenant-${A}`)}`, 'DELETE');
    await adminQuery(`DROP DATABASE "${db(A)}" WITH (FORCE)`);
    await deleteBucketByHand(`tenant-${A}`);
    await (await keycloakHand()).realms.del({ realm: `tenant-${A}` });
    const before = await connections(A, 'users');
    await clients.core.deleteNamespacedSecret({ name: 'users-connections', namespace: ns(A) });

    // The Secret's deletion is a watch event; the servers' drift is found by the same reconcile.
    await eventually('everything is back', async () =>
      (await vhostExists(`tenant-${A}`)) && (await databaseExists(db(A))) && (await bucketExists(`tenant-${A}`)) && (await realmExists(`tenant-${A}`)) && (await secret(A, 'users-connections')) !== undefined,
      120_000,
    );
    await waitForReady(clients, A, 120_000);
    // Same credentials as before, and they work again.
    expect(await connections(A, 'users')).toEqual(before);
    expect(await amqpOpen(need(before, 'NP_AMQP_URL'))).toBe('open-ok');
    await expect(asModule(need(before, 'NP_DATABASE_URL'), (client) => client.query('SELECT 1'))).resolves.toBeDefined();
    await adminToken(A);
  });

  describe('a server that is down', () => {
    afterAll(() => versitygw('start'));

    it('puts its condition False with its message while the other kinds are provisioned, starts no module that needs it, and recovers when it is back', async () => {
      versitygw('stop');
      await createTenant(clients, C, spec(C));
      let storage: TenantCondition | undefined;
      await eventually(
        "StorageReady is False with the server's message",
        async () => {
          storage = await condition(C, 'StorageReady');
          return storage?.status === 'False' && storage.reason === 'ServerUnavailable' && /ECONNREFUSED/.test(storage.message);
        },
        120_000,
        () => JSON.stringify(storage),
      );
      await eventually('the other kinds are provisioned', async () =>
        (await Promise.all(['MessagingReady', 'DatabaseReady', 'IdentityReady'].map((type) => condition(C, type)))).every((entry) => entry?.status === 'True'),
        120_000,
      );
      const tenant = await readTenant(clients, C);
      expect(tenant?.status?.phase).toBe('Degraded');
      expect(tenant?.status?.conditions?.find((entry) => entry.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ServerUnavailable' });
      expect(await secret(C, 'files-connections')).toBeUndefined();
      expect(await secret(C, 'users-connections')).toBeDefined();
      expect((await clients.apps.readNamespacedDeployment({ name: 'files', namespace: ns(C) })).spec?.replicas).toBe(0);
      expect((await condition(C, 'ModulesReady'))?.message).toContain('files (StorageReady)');

      versitygw('start');
      await waitForReady(clients, C, 180_000);
      expect(await secret(C, 'files-connections')).toBeDefined();
      expect(await bucketExists(`tenant-${C}`)).toBe(true);
    });
  });

  it('refuses a namespace and a realm it did not create, and leaves both in place when the Tenant goes', async () => {
    await clients.core.createNamespace({ body: { metadata: { name: ns(FOREIGN_NS) } } });
    const hand = await keycloakHand();
    await hand.realms.create({ realm: `tenant-${FOREIGN_REALM}`, enabled: true });
    await createTenant(clients, FOREIGN_NS, spec(FOREIGN_NS));
    await createTenant(clients, FOREIGN_REALM, spec(FOREIGN_REALM));

    await eventually('the namespace is refused', async () => (await condition(FOREIGN_NS, 'NamespaceReady'))?.reason === 'NotOwned', 60_000);
    expect((await condition(FOREIGN_NS, 'Ready'))?.message).toContain(`namespace ${ns(FOREIGN_NS)} exists and was not created by the operator`);
    expect(await secretNames(FOREIGN_NS)).toEqual([]);
    expect(await vhostExists(`tenant-${FOREIGN_NS}`)).toBe(false);

    await eventually('the realm is refused', async () => (await condition(FOREIGN_REALM, 'IdentityReady'))?.reason === 'NotOwned', 120_000);
    expect((await condition(FOREIGN_REALM, 'IdentityReady'))?.message).toBe(`realm tenant-${FOREIGN_REALM} exists and was not created by the operator; refusing to adopt it`);
    expect((await hand.clients.find({ realm: `tenant-${FOREIGN_REALM}`, clientId: 'gateway' }))).toEqual([]);
    // Every module needs the issuer: none gets its Secret, none is started.
    expect((await secretNames(FOREIGN_REALM)).filter((name) => name.endsWith('-connections'))).toEqual([]);
    expect((await clients.apps.readNamespacedDeployment({ name: 'gateway', namespace: ns(FOREIGN_REALM) })).spec?.replicas).toBe(0);

    await deleteTenant(clients, FOREIGN_NS);
    await deleteTenant(clients, FOREIGN_REALM);
    await eventually('both Tenants are gone', async () => !(await readTenant(clients, FOREIGN_NS)) && !(await readTenant(clients, FOREIGN_REALM)), 120_000);
    await expect(clients.core.readNamespace({ name: ns(FOREIGN_NS) })).resolves.toMatchObject({ metadata: { name: ns(FOREIGN_NS) } });
    expect(await realmExists(`tenant-${FOREIGN_REALM}`)).toBe(true);
    expect(await vhostExists(`tenant-${FOREIGN_REALM}`)).toBe(false);
  });

  it('gives an organization-mode tenant an organization in the shared realm, its modules that realm and their clients', async () => {
    await createTenant(clients, D, spec(D, { identity: { mode: 'organization' }, modules: [{ name: 'users' }] }));
    await waitForReady(clients, D, 180_000);
    expect((await condition(D, 'IdentityReady'))?.message).toBe(`organization ${D} in realm ${SHARED_REALM} and its users in place`);
    const users = await connections(D, 'users');
    expect(users.get('NP_KEYCLOAK_REALM')).toBe(SHARED_REALM);
    expect(users.get('NP_ISSUER')).toBe(`${keycloak.url}/realms/${SHARED_REALM}`);
    expect(users.get('NP_KEYCLOAK_USERS_CLIENT_SECRET')).toBe(ORGANIZATION.NP_OPERATOR_ORGANIZATION_USERS_SECRET);
    const { payload } = await jwtVerify(await adminToken(D, SHARED_REALM), createRemoteJWKSet(new URL(need(users, 'NP_JWKS_URL'))), { audience: 'gateway' });
    expect(payload).toMatchObject({ tenant: D });

    await deleteTenant(clients, D);
    await eventually('D is gone', async () => !(await readTenant(clients, D)), 120_000);
    const hand = await keycloakHand();
    expect(await hand.organizations.find({ realm: SHARED_REALM, search: D, exact: true })).toEqual([]);
    expect(await hand.users.find({ realm: SHARED_REALM, username: `admin@${D}.example.com`, exact: true })).toEqual([]);
    expect(await realmExists(SHARED_REALM)).toBe(true);
  });

  it('deletionPolicy Delete removes the vhost and users, the database and roles, the bucket with its objects and keys, and the realm before the Tenant goes', async () => {
    const files = await connections(A, 'files');
    const accessKey = need(files, 'NP_S3_ACCESS_KEY');
    expect(await objectStoreUserExists(accessKey)).toBe(true);
    await deleteTenant(clients, A);
    await eventually('A is gone', async () => !(await readTenant(clients, A)), 120_000);

    expect(await vhostExists(`tenant-${A}`)).toBe(false);
    for (const module of ['gateway', 'auth', 'users', 'files', 'monitor']) expect(await rabbitUserExists(`tenant-${A}.${module}`)).toBe(false);
    expect(await databaseExists(db(A))).toBe(false);
    expect(await rolesLike(db(A))).toEqual([]);
    expect(await bucketExists(`tenant-${A}`)).toBe(false);
    expect(await objectStoreUserExists(accessKey)).toBe(false);
    expect(await realmExists(`tenant-${A}`)).toBe(false);
    expect(await eventsOf(A)).toContainEqual({ reason: 'InfrastructureRemoved', message: expect.stringContaining(`realm tenant-${A} removed`) as unknown as string });
  });

  it('deletionPolicy Retain keeps all of it and records an Event naming what was kept', async () => {
    retainedCredentials = await secret(B, 'infrastructure-credentials');
    await deleteTenant(clients, B);
    await eventually('B is gone', async () => !(await readTenant(clients, B)), 120_000);

    expect(await vhostExists(`tenant-${B}`)).toBe(true);
    expect(await rabbitUserExists(`tenant-${B}.users`)).toBe(true);
    expect(await databaseExists(db(B))).toBe(true);
    expect(await rolesLike(db(B))).toEqual([db(B), `${db(B)}_auth`, `${db(B)}_users`]);
    expect(await bucketExists(`tenant-${B}`)).toBe(true);
    expect(await realmExists(`tenant-${B}`)).toBe(true);
    expect(await eventsOf(B)).toContainEqual({
      reason: 'InfrastructureRetained',
      message:
        `deletionPolicy Retain: kept vhost tenant-${B} and its users; database ${db(B)} and its roles; bucket tenant-${B} with its objects and its keys; realm tenant-${B}, ` +
        `and their credentials in Secret default/retained-${B}-credentials for a Tenant of the same name`,
    });
  });

  it('a Tenant created again after Retain takes its credentials back (the kept data stays readable)', async () => {
    const copy = await clients.core.readNamespacedSecret({ name: `retained-${B}-credentials`, namespace: 'default' });
    expect(secretValues(copy)).toEqual(retainedCredentials);
    expect(copy.metadata?.ownerReferences).toBeUndefined();

    await createTenant(clients, B, spec(B, { deletionPolicy: 'Retain', modules: [{ name: 'users' }] }));
    await waitForReady(clients, B, 180_000);
    expect(await secret(B, 'infrastructure-credentials')).toEqual(retainedCredentials);
    expect((await secret(B, 'initial-admin'))?.get('password')).toBe(retainedCredentials?.get('initial-admin-password'));
    await eventually('the waiting copy is gone', async () => {
      try {
        await clients.core.readNamespacedSecret({ name: `retained-${B}-credentials`, namespace: 'default' });
        return false;
      } catch {
        return true;
      }
    }, 30_000);
  });
});
