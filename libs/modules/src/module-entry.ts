/** Kubernetes resource quantities, written as the API server stores them (`100m`, `128Mi`, `1`). */
export interface Quantities {
  cpu: string;
  memory: string;
}

/** What the operator gives a module's workload when the Tenant says nothing. */
export interface ModuleDeployment {
  replicas: { min: number; max: number };
  cpuUtilization: number;
  requests: Quantities;
  limits: Quantities;
}

/** One module of the platform, as every runner, the operator and the docs see it. */
export interface ModuleEntry {
  /** Also the folder under services/, the Tenant's `spec.modules[].name` and the bus identity. */
  name: string;
  /** The gateway is the HTTP entry that sends on the bus; a module answers on it. */
  kind: 'gateway' | 'module';
  /** Always-on modules run for every tenant; optional ones are switched on per tenant (NP_MODULES, Tenant spec). */
  alwaysOn: boolean;
  /**
   * Its npm workspace package under services/<name>; `<package>/contracts` is its public contract
   * (patterns, events, routes), the only part of it another package may import.
   */
  package: string;
  /** Whether services/<name> exists yet: only implemented modules are started by the launchers. */
  implemented: boolean;
  /** Request queue and pattern prefix on the bus (`rpc.<name>`, `<name>.*`); null for the gateway, which only sends. */
  bus: { queue: string; patternPrefix: string } | null;
  /**
   * The word its events and permissions start with when it is not its name (`forms` for
   * `form-builder`); absent: the name.
   */
  namespace?: string;
  /** Events it publishes (`<namespace>.<entity>.<what happened>`); only it may publish them. */
  events: readonly string[];
  /** Permissions it defines (`<namespace>:<action>`); `admin` holds them all, `member` none of them. */
  permissions: readonly string[];
  /** The ones of `permissions` the `manager` role holds too. */
  managerPermissions: readonly string[];
  /** Its PostgreSQL schema; null when it keeps no data. */
  schema: string | null;
  /** Image repository under the operator's registry: `<registry>/<image>:<tag>`. */
  image: string;
  /**
   * Its ports in a pod: `http` an HTTP surface others call (the gateway's public API; null for a
   * module reached only over the bus), `ops` the ops endpoints (/healthz, /readyz, /metrics) the
   * kubelet probes and Prometheus scrapes.
   */
  ports: { http: number | null; ops: number };
  /** Ops port on loopback when run by tools/start-distributed.sh (0: any free port). */
  localOpsPort: number;
  /**
   * A module with an HTTP surface of its own (`ports.http`: the files module's data listener,
   * which the gateway proxies uploads and downloads to): that port on loopback when run by
   * tools/start-distributed.sh. The embedded launcher and the e2e harness pick free ones.
   */
  localHttpPort?: number;
  /**
   * `public`: it calls addresses outside the cluster (the form builder's webhooks), so the
   * operator's network policies let it reach public addresses; absent: the tenant's own pods and
   * the shared infrastructure only.
   */
  egress?: 'public';
  deployment: ModuleDeployment;
}
