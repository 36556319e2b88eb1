import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TenantSpec } from '../src/api/tenant.js';
import { MERGE_PATCH, TENANTS, clusterClients, createTenant, deleteTenant, installCrd, tenantObject, type ClusterClients } from './support/cluster.js';

let clients: ClusterClients;

beforeAll(async () => {
  clients = clusterClients();
  await installCrd(clients);
});

/** Creates the Tenant as a server-side dry run and returns the API server's message, or 'accepted'. */
async function verdict(spec: unknown, name = 'validation'): Promise<string> {
  try {
    await clients.custom.createClusterCustomObject({ ...TENANTS, body: tenantObject(name, spec as TenantSpec), dryRun: 'All' });
    return 'accepted';
  } catch (error) {
    const { code, body } = error as { code?: number; body?: string };
    expect(code).toBe(422);
    return (JSON.parse(body ?? '{}') as { message?: string }).message ?? '';
  }
}

describe('the API server validates Tenants', () => {
  it('accepts a minimal and a full spec', async () => {
    await expect(verdict({ adminEmail: 'admin@acme.example.com', modules: [{ name: 'users' }] })).resolves.toBe('accepted');
    await expect(
      verdict({
        adminEmail: 'It.Admin+np@acme-corp.example.co.uk',
        identity: { mode: 'organization' },
        displayName: 'Acme Corp',
        version: '1.4.0',
        deletionPolicy: 'Delete',
        ingress: { host: 'api.acme.example.com', tlsSecretName: 'acme-tls', corsOrigins: ['https://app.acme.example.com', 'http://localhost:5173'] },
        storage: { quota: '10Gi', maxFileSize: '200Mi' },
        rateLimits: { perAddressPerMinute: 5000, perUserPerMinute: 2000 },
        modules: [
          { name: 'users', replicas: { min: 2, max: 4 }, autoscaling: { cpuUtilization: 60 } },
          { name: 'files', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: 1, memory: '1Gi' } } },
          { name: 'reports', enabled: false },
        ],
      }),
    ).resolves.toBe('accepted');
  });

  it('accepts queue-depth scaling, and zero replicas with an idle period', async () => {
    const modules = [
      { name: 'form-builder', replicas: { min: 0, max: 5 }, autoscaling: { queueDepthPerReplica: 50, idleScaleToZeroAfter: '30s' } },
      { name: 'reports', autoscaling: { queueDepthPerReplica: 10, idleScaleToZeroAfter: '1h30m' } },
      { name: 'files', replicas: { min: 1, max: 4 }, autoscaling: { queueDepthPerReplica: 100, cpuUtilization: 80 } },
    ];
    await expect(verdict({ adminEmail: 'admin@acme.example.com', modules })).resolves.toBe('accepted');
  });

  it.each([
    ['an unknown module', { modules: [{ name: 'billing' }] }, 'Unsupported value: "billing"'],
    ['a module listed twice', { modules: [{ name: 'users' }, { name: 'users' }] }, 'Duplicate value'],
    ['min above max', { modules: [{ name: 'users', replicas: { min: 5, max: 2 } }] }, 'replicas.min must not be greater than replicas.max'],
    ['negative replicas', { modules: [{ name: 'users', replicas: { min: -1 } }] }, 'should be greater than or equal to 0'],
    ['zero replicas without an idle period', { modules: [{ name: 'users', replicas: { min: 0 } }] }, 'replicas.min 0 needs autoscaling.idleScaleToZeroAfter'],
    ['an idle period with a minimum above zero', { modules: [{ name: 'users', replicas: { min: 1 }, autoscaling: { queueDepthPerReplica: 5, idleScaleToZeroAfter: '30s' } }] }, 'needs replicas.min 0'],
    ['zero by CPU alone', { modules: [{ name: 'users', autoscaling: { idleScaleToZeroAfter: '30s' } }] }, 'needs autoscaling.queueDepthPerReplica'],
    ['files at zero', { modules: [{ name: 'files', autoscaling: { queueDepthPerReplica: 5, idleScaleToZeroAfter: '30s' } }] }, 'files cannot scale to zero'],
    ['an idle period that is not a duration', { modules: [{ name: 'users', autoscaling: { queueDepthPerReplica: 5, idleScaleToZeroAfter: 'soon' } }] }, 'must be a duration from 10s to 24h'],
    ['an idle period too short', { modules: [{ name: 'users', autoscaling: { queueDepthPerReplica: 5, idleScaleToZeroAfter: '2s' } }] }, 'must be a duration from 10s to 24h'],
    ['an idle period too long', { modules: [{ name: 'users', autoscaling: { queueDepthPerReplica: 5, idleScaleToZeroAfter: '48h' } }] }, 'must be a duration from 10s to 24h'],
    ['a queue depth of zero', { modules: [{ name: 'users', autoscaling: { queueDepthPerReplica: 0 } }] }, 'should be greater than or equal to 1'],
    ['absurd replicas', { modules: [{ name: 'users', replicas: { max: 1000 } }] }, 'should be less than or equal to 50'],
    ['replicas of the wrong type', { modules: [{ name: 'users', replicas: { min: 'two' } }] }, 'must be of type integer'],
    ['an invalid host name', { ingress: { host: 'Not A Host!' } }, 'spec.ingress.host must be a lower-case DNS name'],
    ['a single-label host', { ingress: { host: 'localhost' } }, 'spec.ingress.host must be a lower-case DNS name'],
    ['a CORS origin with a path', { ingress: { host: 'api.acme.example.com', corsOrigins: ['https://app.acme.example.com/'] } }, 'each of spec.ingress.corsOrigins must be an origin'],
    ['a negative largest file', { storage: { maxFileSize: '-1Mi' } }, 'spec.storage.maxFileSize must be a positive quantity'],
    ['a wildcard CORS origin', { ingress: { host: 'api.acme.example.com', corsOrigins: ['*'] } }, 'each of spec.ingress.corsOrigins must be an origin'],
    ['a bad resource quantity', { modules: [{ name: 'files', resources: { limits: { memory: 'lots' } } }] }, 'must be a quantity such as'],
    ['an unknown deletion policy', { deletionPolicy: 'Shred' }, 'Unsupported value: "Shred"'],
    ['an image tag with a slash', { version: 'evil/tag' }, 'spec.version must be an image tag'],
    ['a CPU target out of range', { modules: [{ name: 'users', autoscaling: { cpuUtilization: 500 } }] }, 'should be less than or equal to 100'],
    ['an unknown identity mode', { identity: { mode: 'tenant' } }, 'Unsupported value: "tenant"'],
    ['an admin email that is not one', { adminEmail: 'root' }, 'spec.adminEmail must be an email address'],
    ['an admin email with two @', { adminEmail: 'a@b@c.example.com' }, 'spec.adminEmail must be an email address'],
    ['a storage quota that is not a quantity', { storage: { quota: 'plenty' } }, 'spec.storage.quota must be a positive quantity'],
    ['a storage quota of zero', { storage: { quota: 0 } }, 'spec.storage.quota must be a positive quantity'],
    ['a rate limit of zero', { rateLimits: { perUserPerMinute: 0 } }, 'should be greater than or equal to 1'],
  ])('rejects %s', async (_case, spec, message) => {
    await expect(verdict({ adminEmail: 'admin@acme.example.com', ...spec })).resolves.toContain(message);
  });

  it('requires the first admin', async () => {
    await expect(verdict({ modules: [{ name: 'users' }] })).resolves.toContain('spec.adminEmail: Required value');
  });

  it('rejects names that cannot become a namespace', async () => {
    await expect(verdict({ adminEmail: 'admin@acme.example.com' }, 'acme.corp')).resolves.toContain("a Tenant's name must be a DNS label of at most 40 characters");
    await expect(verdict({ adminEmail: 'admin@acme.example.com' }, 'a'.repeat(41))).resolves.toContain('may not be more than 40 bytes');
  });

  describe('immutable fields', () => {
    const name = 'validation-immutable';
    afterAll(() => deleteTenant(clients, name));

    it('rejects changing spec.ingress.host, spec.adminEmail or spec.identity.mode once set, and allows the other fields to change', async () => {
      await createTenant(clients, name, { adminEmail: 'admin@one.example.com', ingress: { host: 'api.one.example.com' } });
      const patch = (spec: Partial<TenantSpec>) => clients.custom.patchClusterCustomObject({ ...TENANTS, name, body: { spec } }, MERGE_PATCH);
      await expect(patch({ adminEmail: 'admin@two.example.com' })).rejects.toMatchObject({
        code: 422,
        body: expect.stringContaining('spec.adminEmail cannot be changed') as unknown as string,
      });
      await expect(patch({ identity: { mode: 'organization' } })).rejects.toMatchObject({
        code: 422,
        body: expect.stringContaining('spec.identity.mode cannot be changed') as unknown as string,
      });
      await expect(patch({ ingress: { host: 'api.two.example.com' } })).rejects.toMatchObject({
        code: 422,
        body: expect.stringContaining('spec.ingress.host cannot be changed once set') as unknown as string,
      });
      await expect(patch({ displayName: 'Renamed', ingress: { host: 'api.one.example.com', tlsSecretName: 'one-tls' } })).resolves.toBeDefined();
    });
  });
});
