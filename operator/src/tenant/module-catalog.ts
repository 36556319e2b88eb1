import { MODULE_MANIFEST } from '@np/modules';
import type { ModuleName, ResourceQuantities } from '../api/tenant.js';

export interface ModuleDefaults {
  /** Its pod's ports (module manifest): an HTTP surface (null: bus only) and the ops endpoints. */
  ports: { http: number | null; ops: number };
  /** Image repository under the operator's registry: `<registry>/<image>:<tag>`. */
  image: string;
  replicas: { min: number; max: number };
  cpuUtilization: number;
  requests: Required<ResourceQuantities>;
  limits: Required<ResourceQuantities>;
}

/**
 * What each module gets when the Tenant says nothing, from the module manifest (@np/modules).
 * Quantities are written in the form the API server stores them, so a comparison with the live
 * object does not see a difference that is not one.
 */
export const MODULE_CATALOG = Object.fromEntries(
  MODULE_MANIFEST.map((entry): [ModuleName, ModuleDefaults] => [
    entry.name,
    {
      ports: { ...entry.ports },
      image: entry.image,
      replicas: { ...entry.deployment.replicas },
      cpuUtilization: entry.deployment.cpuUtilization,
      requests: { ...entry.deployment.requests },
      limits: { ...entry.deployment.limits },
    },
  ]),
) as Readonly<Record<ModuleName, ModuleDefaults>>;
