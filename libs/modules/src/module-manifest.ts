import type { ModuleDeployment, ModuleEntry } from './module-entry.js';

// Requests are what a module needs at rest (the scheduler and the HPA's utilisation read them);
// the CPU limit is for its start. Node boots its module graph in about a second of CPU, and under
// a 500m limit the same start took twice as long (form builder: 2.5 s against 1.1 s at 1 CPU),
// which a module woken from zero adds to its first request.
const SMALL = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } } as const;
const MEDIUM = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } as const;
/** Every pod's ops port; modules reached only over the bus have no other. */
const BUS_ONLY = { http: null, ops: 9090 } as const;

function scaled(max: number, size: typeof SMALL | typeof MEDIUM): ModuleDeployment {
  return { replicas: { min: 1, max }, cpuUtilization: 70, ...size };
}

function bus<const N extends string>(name: N) {
  return { queue: `rpc.${name}`, patternPrefix: `${name}.` } as const;
}

/**
 * Every module of the platform, once. The contracts, the permissions, the gateway's module gate,
 * the launchers, the test harness, the operator's catalog and the README table all read this list;
 * tests fail when the CRD enum or the README disagree with it. Order matters: modules start in
 * this order (the gateway last, see `PROCESS_MODULES`) and stop in reverse.
 */
export const MODULE_MANIFEST = [
  {
    name: 'gateway',
    package: '@np/gateway',
    kind: 'gateway',
    alwaysOn: true,
    implemented: true,
    bus: null,
    events: [],
    permissions: [],
    managerPermissions: [],
    schema: null,
    image: 'gateway',
    ports: { http: 8080, ops: 9090 },
    localOpsPort: 0,
    deployment: scaled(5, MEDIUM),
  },
  {
    name: 'auth',
    package: '@np/auth-service',
    kind: 'module',
    alwaysOn: true,
    implemented: true,
    bus: bus('auth'),
    events: ['auth.session.revoked', 'auth.user.tokens-revoked'],
    permissions: [],
    managerPermissions: [],
    schema: 'auth',
    image: 'auth',
    ports: BUS_ONLY,
    localOpsPort: 9101,
    deployment: scaled(3, SMALL),
  },
  {
    name: 'users',
    package: '@np/users',
    kind: 'module',
    alwaysOn: false,
    implemented: true,
    bus: bus('users'),
    events: ['users.user.created', 'users.user.updated', 'users.user.deleted'],
    permissions: ['users:read', 'users:write', 'users:delete', 'users:assign-roles'],
    managerPermissions: ['users:read', 'users:write'],
    schema: 'users',
    image: 'users',
    ports: BUS_ONLY,
    localOpsPort: 9102,
    deployment: scaled(3, SMALL),
  },
  {
    name: 'files',
    package: '@np/files',
    kind: 'module',
    alwaysOn: false,
    implemented: true,
    bus: bus('files'),
    events: ['files.file.uploaded', 'files.file.updated', 'files.file.deleted'],
    permissions: ['files:read', 'files:write'],
    managerPermissions: ['files:read', 'files:write'],
    schema: 'files',
    image: 'files',
    // The data listener: uploads and downloads, proxied by the gateway.
    ports: { http: 8081, ops: 9090 },
    localOpsPort: 9103,
    localHttpPort: 9203,
    deployment: scaled(5, MEDIUM),
  },
  {
    name: 'form-builder',
    package: '@np/form-builder',
    kind: 'module',
    alwaysOn: false,
    implemented: true,
    bus: bus('form-builder'),
    // Its events and permissions speak of forms, its HTTP paths too (`/v1/forms…`).
    namespace: 'forms',
    events: ['forms.form.published', 'forms.submission.created', 'forms.submission.updated'],
    permissions: ['forms:read', 'forms:write', 'forms:submit'],
    managerPermissions: ['forms:read', 'forms:write', 'forms:submit'],
    schema: 'form_builder',
    image: 'form-builder',
    ports: BUS_ONLY,
    localOpsPort: 9104,
    // Webhook deliveries go to the subscribers' own servers.
    egress: 'public',
    deployment: scaled(3, SMALL),
  },
  {
    name: 'reports',
    package: '@np/reports',
    kind: 'module',
    alwaysOn: false,
    implemented: true,
    bus: bus('reports'),
    events: ['reports.report.created', 'reports.report.updated', 'reports.report.deleted', 'reports.schedule.created', 'reports.schedule.deleted', 'reports.export.requested', 'reports.export.completed'],
    permissions: ['reports:read', 'reports:write'],
    managerPermissions: ['reports:read', 'reports:write'],
    schema: 'reports',
    image: 'reports',
    ports: BUS_ONLY,
    localOpsPort: 9105,
    deployment: scaled(3, MEDIUM),
  },
  {
    name: 'backoffice',
    package: '@np/backoffice',
    kind: 'module',
    alwaysOn: false,
    implemented: true,
    bus: bus('backoffice'),
    events: ['backoffice.settings.updated'],
    permissions: [],
    managerPermissions: [],
    schema: 'backoffice',
    image: 'backoffice',
    ports: BUS_ONLY,
    localOpsPort: 9106,
    deployment: scaled(2, SMALL),
  },
  // new modules: above this line (npm run new:module)
] as const satisfies readonly ModuleEntry[];
