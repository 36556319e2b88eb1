import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { planTenant } from '../tenant-plan.js';
import { renderSettings, tenant } from '../test-tenant.js';
import { renderTenant } from './desired-state.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered objects are read as loose JSON here
type AnyObject = KubernetesObject & { spec?: any; data?: Record<string, string> };

function render(spec: Parameters<typeof tenant>[0]) {
  const desired = renderTenant(planTenant(tenant(spec), renderSettings));
  const find = (kind: string, name: string) =>
    desired.namespaced.find((object) => object.kind === kind && object.metadata?.name === name) as AnyObject | undefined;
  return { desired, find };
}

describe('renderTenant', () => {
  it('always deploys gateway and auth in the tenant namespace, owned by the Tenant', () => {
    const { desired, find } = render({});
    expect(desired.namespace.metadata?.name).toBe('tenant-acme');
    expect(desired.namespace.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const module of ['gateway', 'auth']) {
      expect(find('Deployment', module)?.metadata?.namespace).toBe('tenant-acme');
      expect(find('Service', module)).toBeDefined();
      expect(find('HorizontalPodAutoscaler', module)).toBeDefined();
    }
    for (const object of [desired.namespace, ...desired.namespaced]) {
      expect(object.metadata?.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'Tenant', name: 'acme', uid: 'uid-1', controller: true }),
      ]);
      expect(object.metadata?.labels?.['platform.np.dev/tenant']).toBe('acme');
    }
  });

  it('runs every container non-root with a read-only root filesystem, probes and resources', () => {
    const { find } = render({ modules: [{ name: 'users' }] });
    const pod = find('Deployment', 'users')?.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    const [container] = pod.containers;
    expect(container.image).toBe('registry.example/np/users:1.2.3');
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
  });

  it('starts a pod behind a Service once its dependencies answer, then keeps it ready through their outages', () => {
    const { find } = render({ modules: [{ name: 'files' }] });
    for (const module of ['gateway', 'files']) {
      const container = find('Deployment', module)?.spec.template.spec.containers[0];
      expect({ module, startup: container.startupProbe.httpGet.path, ready: container.readinessProbe.httpGet.path }).toEqual({ module, startup: '/readyz', ready: '/healthz' });
    }
  });

  it('leaves replicas to the HPA while enabled and pins a disabled module to zero without HPA or PDB', () => {
    const { find } = render({
      modules: [
        { name: 'files', replicas: { min: 2, max: 6 }, autoscaling: { cpuUtilization: 55 } },
        { name: 'reports', enabled: false },
      ],
    });
    expect(find('Deployment', 'files')?.spec.replicas).toBeUndefined();
    expect(find('HorizontalPodAutoscaler', 'files')?.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ resource: { target: { averageUtilization: 55 } } }],
    });
    expect(find('PodDisruptionBudget', 'files')?.spec.maxUnavailable).toBe(1);
    expect(find('Deployment', 'reports')?.spec.replicas).toBe(0);
    expect(find('Service', 'reports')).toBeDefined();
    expect(find('HorizontalPodAutoscaler', 'reports')).toBeUndefined();
    expect(find('PodDisruptionBudget', 'reports')).toBeUndefined();
  });

  it('has no PDB where at most one replica is allowed', () => {
    const { find } = render({ modules: [{ name: 'users', replicas: { min: 1, max: 1 } }] });
    expect(find('PodDisruptionBudget', 'users')).toBeUndefined();
  });

  it('opens the files data listener on its pod and Service, and tells the gateway where it is', () => {
    const { find } = render({ modules: [{ name: 'files' }] });
    const [container] = find('Deployment', 'files')?.spec.template.spec.containers ?? [];
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8081, protocol: 'TCP' },
      { name: 'ops', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(container.env).toEqual(expect.arrayContaining([{ name: 'NP_FILES_DATA_PORT', value: '8081' }, { name: 'NP_FILES_DATA_HOST', value: '0.0.0.0' }]));
    expect(container.env.map((variable: { name: string }) => variable.name)).not.toContain('PORT');
    expect(find('Service', 'files')?.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'ops', port: 9090, targetPort: 'ops', protocol: 'TCP' },
    ]);
    expect(find('ConfigMap', 'gateway-modules')?.data).toEqual({ NP_TENANT: 'acme', NP_MODULES: 'files', NP_FILES_URL: 'http://files' });
    expect(find('Service', 'users')).toBeUndefined();
  });

  it('tells the gateway which optional modules are enabled and restarts it when that changes', () => {
    const one = render({ modules: [{ name: 'users' }, { name: 'reports', enabled: false }] });
    const two = render({ modules: [{ name: 'users' }, { name: 'reports' }] });
    expect(one.find('ConfigMap', 'gateway-modules')?.data).toEqual({ NP_TENANT: 'acme', NP_MODULES: 'users' });
    expect(two.find('ConfigMap', 'gateway-modules')?.data?.NP_MODULES).toBe('users,reports');
    const checksum = (result: typeof one) =>
      result.find('Deployment', 'gateway')?.spec.template.metadata.annotations['platform.np.dev/modules-checksum'];
    expect(checksum(one)).not.toEqual(checksum(two));
  });

  it('gives the gateway its public address from the ingress host, https with TLS', () => {
    const plain = render({ ingress: { host: 'acme.example.com' } });
    const tls = render({ ingress: { host: 'acme.example.com', tlsSecretName: 'acme-tls' } });
    expect(plain.find('ConfigMap', 'gateway-modules')?.data).toMatchObject({ NP_PUBLIC_URL: 'http://acme.example.com', NP_TRUST_PROXY: 'true' });
    expect(tls.find('ConfigMap', 'gateway-modules')?.data?.NP_PUBLIC_URL).toBe('https://acme.example.com');
  });

  it('gives every module the public address, so the links it hands out point at the ingress', () => {
    const { find } = render({ modules: [{ name: 'files' }], ingress: { host: 'acme.example.com', tlsSecretName: 'acme-tls' } });
    const env = (module: string) => find('Deployment', module)?.spec.template.spec.containers[0].env as { name: string; value: string }[];
    for (const module of ['files', 'users', 'auth']) {
      if (find('Deployment', module)) expect(env(module)).toContainEqual({ name: 'NP_PUBLIC_URL', value: 'https://acme.example.com' });
    }
    expect((render({ modules: [{ name: 'files' }] }).find('Deployment', 'files')?.spec.template.spec.containers[0].env as { name: string }[]).map((entry) => entry.name)).not.toContain('NP_PUBLIC_URL');
  });

  it('scales a module with queue settings through one KEDA ScaledObject on its queues, and writes no HPA of its own for it', () => {
    const { find, desired } = render({ modules: [{ name: 'reports', replicas: { min: 0, max: 4 }, autoscaling: { queueDepthPerReplica: 20, idleScaleToZeroAfter: '1m30s' } }, { name: 'users' }] });
    const scaled = find('ScaledObject', 'reports');
    expect(scaled?.apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaled?.spec).toMatchObject({ scaleTargetRef: { name: 'reports' }, minReplicaCount: 0, maxReplicaCount: 4, cooldownPeriod: 90, initialCooldownPeriod: 120, pollingInterval: 2 });
    expect(scaled?.spec.triggers[0]).toEqual({
      type: 'rabbitmq',
      name: 'queues',
      metadata: { protocol: 'http', mode: 'QueueLength', value: '20', activationValue: '0', vhostName: 'tenant-acme', queueName: '^(rpc|events)\\.reports$', useRegex: 'true', operation: 'sum' },
      authenticationRef: { name: 'queue-monitor' },
    });
    expect(scaled?.spec.triggers).toHaveLength(1);
    expect(find('HorizontalPodAutoscaler', 'reports')).toBeUndefined();
    expect(find('HorizontalPodAutoscaler', 'users')).toBeDefined();
    expect(find('TriggerAuthentication', 'queue-monitor')?.spec).toEqual({ secretTargetRef: [{ parameter: 'host', name: 'queue-monitor', key: 'host' }] });
    // While it runs, KEDA sets its replicas: the Deployment leaves them out.
    expect(find('Deployment', 'reports')?.spec.replicas).toBeUndefined();
    expect(desired.namespaced.filter((object) => object.kind === 'ScaledObject')).toHaveLength(1);
  });

  it('falls back to the CPU HPA (at least one replica) where KEDA is not installed, and writes no KEDA object', () => {
    const desired = renderTenant(planTenant(tenant({ modules: [{ name: 'reports', autoscaling: { queueDepthPerReplica: 20, idleScaleToZeroAfter: '30s' } }] }), { ...renderSettings, keda: false }));
    const hpa = desired.namespaced.find((object) => object.kind === 'HorizontalPodAutoscaler' && object.metadata?.name === 'reports') as AnyObject | undefined;
    expect(hpa?.spec.minReplicas).toBe(1);
    expect(desired.namespaced.some((object) => object.apiVersion === 'keda.sh/v1alpha1')).toBe(false);
  });

  it('mounts the module status the operator keeps into backoffice only, optional until it is first written', () => {
    const { find } = render({ modules: [{ name: 'backoffice' }, { name: 'users' }] });
    const pod = find('Deployment', 'backoffice')?.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'module-status', configMap: { name: 'module-status', optional: true } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'module-status', mountPath: '/etc/np/module-status', readOnly: true });
    expect(pod.containers[0].env).toContainEqual({ name: 'NP_MODULE_STATUS_FILE', value: '/etc/np/module-status/modules.json' });
    const users = find('Deployment', 'users')?.spec.template.spec;
    expect(users.volumes.map((volume: { name: string }) => volume.name)).toEqual(['tmp']);
  });

  it('lets the tenant\'s pods reach the data listeners, and only the modules that call out reach public addresses', () => {
    const { find } = render({ modules: [{ name: 'files' }, { name: 'reports' }, { name: 'form-builder' }] });
    const policy = (name: string) => find('NetworkPolicy', name)?.spec;
    expect(policy('allow-tenant-to-data-listeners')).toMatchObject({
      podSelector: { matchExpressions: [{ key: 'platform.np.dev/module', operator: 'In', values: ['files'] }] },
      ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 'http' }] }],
    });
    const egress = policy('allow-public-egress');
    expect(egress.podSelector.matchExpressions[0].values).toEqual(['form-builder']);
    expect(egress.egress[0].to[0].ipBlock).toEqual({ cidr: '0.0.0.0/0', except: expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16', '127.0.0.0/8']) });
    const reportsEnv = find('Deployment', 'reports')?.spec.template.spec.containers[0].env as { name: string; value: string }[];
    expect(reportsEnv).toContainEqual({ name: 'NP_FILES_URL', value: 'http://files' });
    const filesEnv = find('Deployment', 'files')?.spec.template.spec.containers[0].env as { name: string }[];
    expect(filesEnv.map((entry) => entry.name)).not.toContain('NP_FILES_URL');
  });

  it('allows the ingress\'s CORS origins on the gateway, and none without them', () => {
    const origins = render({ ingress: { host: 'acme.example.com', corsOrigins: ['https://app.acme.example.com', 'http://localhost:5173'] } });
    expect(origins.find('ConfigMap', 'gateway-modules')?.data?.NP_CORS_ORIGINS).toBe('https://app.acme.example.com,http://localhost:5173');
    expect(render({ ingress: { host: 'acme.example.com' } }).find('ConfigMap', 'gateway-modules')?.data).not.toHaveProperty('NP_CORS_ORIGINS');
  });

  it('passes the Tenant\'s rate limits to the gateway', () => {
    const { find } = render({ rateLimits: { perAddressPerMinute: 5000, perUserPerMinute: 3000 } });
    expect(find('ConfigMap', 'gateway-modules')?.data).toMatchObject({ NP_RATE_LIMIT_IP_PER_MINUTE: '5000', NP_RATE_LIMIT_USER_PER_MINUTE: '3000' });
  });

  it('takes every port from the module manifest: probes and metrics on ops, the gateway API on http', () => {
    const { find } = render({ modules: [{ name: 'users' }] });
    const gateway = find('Deployment', 'gateway')?.spec.template.spec.containers[0];
    const users = find('Deployment', 'users')?.spec.template.spec.containers[0];
    expect(gateway.ports.map((port: { name: string; containerPort: number }) => `${port.name}:${port.containerPort}`)).toEqual(['http:8080', 'ops:9090']);
    expect(users.ports.map((port: { name: string; containerPort: number }) => `${port.name}:${port.containerPort}`)).toEqual(['ops:9090']);
    const env = (container: { env: { name: string; value: string }[] }) => Object.fromEntries(container.env.map((entry) => [entry.name, entry.value]));
    expect(env(gateway)).toMatchObject({ PORT: '8080', HOST: '0.0.0.0', NP_OPS_PORT: '9090', NP_OPS_HOST: '0.0.0.0' });
    expect(env(users)).toMatchObject({ NP_OPS_PORT: '9090', NP_OPS_HOST: '0.0.0.0' });
    expect(env(users).PORT).toBeUndefined();
    for (const container of [gateway, users]) {
      expect(container.readinessProbe.httpGet.port).toBe('ops');
      expect(container.livenessProbe.httpGet.port).toBe('ops');
    }
    expect(find('Service', 'gateway')?.spec.ports.map((port: { name: string; port: number }) => `${port.name}:${port.port}`)).toEqual(['http:80', 'ops:9090']);
  });

  it('lets requests wait for a replaced pod, and keeps the gateway serving while the ingress forgets it', () => {
    const { find } = render({ modules: [{ name: 'users' }] });
    const gateway = find('Deployment', 'gateway')?.spec.template.spec.containers[0];
    const users = find('Deployment', 'users')?.spec.template.spec.containers[0];
    for (const container of [gateway, users]) {
      expect(container.env).toContainEqual({ name: 'NP_RPC_COLD_START_MS', value: '30000' });
    }
    expect(gateway.lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
    expect(users.lifecycle).toBeUndefined();
    expect(gateway.env).toContainEqual({ name: 'NP_HTTP_REQUEST_TIMEOUT_MS', value: '40000' });
  });

  it('keeps the gateway\'s HTTP timeout above a longer cold start budget', () => {
    const plan = planTenant(tenant({ modules: [{ name: 'users' }] }), { ...renderSettings, coldStartMs: 45_000 });
    const gateway = renderTenant(plan).namespaced.find((object) => object.kind === 'Deployment' && object.metadata?.name === 'gateway') as AnyObject;
    expect(gateway.spec.template.spec.containers[0].env).toContainEqual({ name: 'NP_RPC_COLD_START_MS', value: '45000' });
    expect(gateway.spec.template.spec.containers[0].env).toContainEqual({ name: 'NP_HTTP_REQUEST_TIMEOUT_MS', value: '55000' });
  });

  it('routes the ingress host to the gateway, with TLS when a secret is named', () => {
    expect(render({}).find('Ingress', 'gateway')).toBeUndefined();
    const ingress = render({ ingress: { host: 'api.acme.example.com', tlsSecretName: 'acme-tls' } }).find('Ingress', 'gateway');
    expect(ingress?.spec.rules[0].host).toBe('api.acme.example.com');
    expect(ingress?.spec.tls).toEqual([{ hosts: ['api.acme.example.com'], secretName: 'acme-tls' }]);
  });

  it('sizes the quota from the enabled modules at their maximum, with surge', () => {
    const { find } = render({ modules: [{ name: 'users', replicas: { min: 1, max: 4 } }, { name: 'files', enabled: false }] });
    // gateway max 5, auth max 3, users max 4 => 12 pods, x1.25 => 15
    const hard = find('ResourceQuota', 'tenant-quota')?.spec.hard;
    expect(hard.pods).toBe('15');
    // requests.cpu: gateway 5*250m + auth 3*100m + users 4*100m = 1.95 cores, x1.25 = 2.4375 => 2438m
    expect(hard['requests.cpu']).toBe('2438m');
  });

  it('denies all traffic by default and opens only what the modules need', () => {
    const { desired } = render({});
    const names = desired.namespaced.filter((object) => object.kind === 'NetworkPolicy').map((object) => object.metadata?.name);
    expect(names).toEqual([
      'default-deny',
      'allow-dns',
      'allow-infrastructure',
      'allow-gateway-ingress',
      'allow-gateway-to-modules',
      'allow-tenant-to-data-listeners',
      'allow-public-egress',
      'allow-monitoring',
    ]);
  });

  it('uses the Tenant version as image tag when set', () => {
    const { find } = render({ version: '2.0.0' });
    expect(find('Deployment', 'auth')?.spec.template.spec.containers[0].image).toBe('registry.example/np/auth:2.0.0');
  });

  it('mounts each module\'s connections Secret, not optional, and does not start a module whose Secret is not there yet', () => {
    const plan = planTenant(tenant({ modules: [{ name: 'users' }, { name: 'files' }] }), renderSettings);
    const desired = renderTenant(plan, { connected: new Set(['gateway', 'auth', 'users']) });
    const find = (kind: string, name: string) => desired.namespaced.find((object) => object.kind === kind && object.metadata?.name === name) as AnyObject | undefined;
    for (const module of ['gateway', 'auth', 'users', 'files']) {
      expect(find('Deployment', module)?.spec.template.spec.containers[0].envFrom).toContainEqual({ secretRef: { name: `${module}-connections`, optional: false } });
    }
    expect(find('Deployment', 'users')?.spec.replicas).toBeUndefined();
    expect(find('Deployment', 'files')?.spec.replicas).toBe(0);
    expect(find('HorizontalPodAutoscaler', 'files')).toBeUndefined();
    expect(find('HorizontalPodAutoscaler', 'users')).toBeDefined();
    // No Secret is rendered here: they come from the infrastructure.
    expect(desired.namespaced.filter((object) => object.kind === 'Secret')).toEqual([]);
  });
});
