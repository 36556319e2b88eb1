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
  /** Events it publishes (`<name>.<entity>.<what happened>`). */
  events: readonly string[];
  /** Permissions it defines (`<name>:<action>`); `admin` holds them all, `member` none of them. */
  permissions: readonly string[];
  /** The ones of `permissions` the `manager` role holds too. */
  managerPermissions: readonly string[];
  /** Its PostgreSQL schema; null when it keeps no data. */
  schema: string | null;
  /** Image repository under the operator's registry: `<registry>/<image>:<tag>`. */
  image: string;
  /**
   * The port its pod serves on in a cluster: the public API for the gateway (`http`), the ops
   * endpoints (/healthz, /readyz, /metrics) for a module (`ops`).
   */
  port: { name: 'http' | 'ops'; number: number };
  /** Ops port on loopback when run by tools/start-distributed.sh (0: any free port). */
  localOpsPort: number;
  /**
   * A module that serves bytes over HTTP (its contracts' stream routes, proxied by the gateway):
   * the port of that data listener in a cluster (`number`, a Service port named `data`) and on
   * loopback when run by tools/start-distributed.sh (`localPort`).
   */
  dataPort?: { name: 'data'; number: number; localPort: number };
  deployment: ModuleDeployment;
}
