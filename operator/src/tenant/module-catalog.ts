import { DATA_LISTENERS, MODULE_MANIFEST } from '@np/modules';
import type { ModuleName, ResourceQuantities } from '../api/tenant.js';

export interface ModuleDefaults {
  /** Port of the module's HTTP surface: the public API for the gateway, ops endpoints for the rest. */
  port: number;
  portName: 'http' | 'ops';
  /** A module that serves bytes: its data listener (port `data`), which the gateway proxies to, and the settings naming it. */
  data?: { port: number; portSetting: string; hostSetting: string; urlSetting: string };
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
      port: entry.port.number,
      portName: entry.port.name,
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
  return { data: { port: listener.port, portSetting: listener.portSetting, hostSetting: listener.portSetting.replace(/_PORT$/, '_HOST'), urlSetting: listener.urlSetting } };
}
