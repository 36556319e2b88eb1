import { DATA_LISTENERS, MODULE_MANIFEST } from '@np/modules';
import type { ModuleName, ResourceQuantities } from '../api/tenant.js';

export interface ModuleDefaults {
  /** Its pod's ports (module manifest): an HTTP surface (null: bus only) and the ops endpoints. */
  ports: { http: number | null; ops: number };
  /** A module whose HTTP surface is a data listener (files): the settings that place it and name it to the gateway. */
  data?: { portSetting: string; hostSetting: string; urlSetting: string };
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
      ...dataOf(entry.name),
      image: entry.image,
      replicas: { ...entry.deployment.replicas },
      cpuUtilization: entry.deployment.cpuUtilization,
      requests: { ...entry.deployment.requests },
      limits: { ...entry.deployment.limits },
    },
  ]),
) as Readonly<Record<ModuleName, ModuleDefaults>>;

function dataOf(name: ModuleName): Pick<ModuleDefaults, 'data'> {
  const listener = DATA_LISTENERS.find((candidate) => candidate.name === name);
  if (!listener) return {};
  return { data: { portSetting: listener.portSetting, hostSetting: listener.portSetting.replace(/_PORT$/, '_HOST'), urlSetting: listener.urlSetting } };
}
