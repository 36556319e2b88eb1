import type { ModuleName, ResourceQuantities } from '../api/tenant.js';

export interface ModuleDefaults {
  /** Port of the module's HTTP surface: the public API for the gateway, ops endpoints for the rest. */
  port: number;
  portName: 'http' | 'ops';
  replicas: { min: number; max: number };
  cpuUtilization: number;
  requests: Required<ResourceQuantities>;
  limits: Required<ResourceQuantities>;
}

const SMALL = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
const MEDIUM = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };

/**
 * What each module gets when the Tenant says nothing. Quantities are written in the form the API
 * server stores them, so a comparison with the live object does not see a difference that is not one.
 */
export const MODULE_CATALOG: Record<ModuleName, ModuleDefaults> = {
  gateway: { port: 8080, portName: 'http', replicas: { min: 1, max: 5 }, cpuUtilization: 70, ...MEDIUM },
  auth: { port: 9090, portName: 'ops', replicas: { min: 1, max: 3 }, cpuUtilization: 70, ...SMALL },
  users: { port: 9090, portName: 'ops', replicas: { min: 1, max: 3 }, cpuUtilization: 70, ...SMALL },
  files: { port: 9090, portName: 'ops', replicas: { min: 1, max: 5 }, cpuUtilization: 70, ...MEDIUM },
  'form-builder': { port: 9090, portName: 'ops', replicas: { min: 1, max: 3 }, cpuUtilization: 70, ...SMALL },
  reports: { port: 9090, portName: 'ops', replicas: { min: 1, max: 3 }, cpuUtilization: 70, ...MEDIUM },
  backoffice: { port: 9090, portName: 'ops', replicas: { min: 1, max: 2 }, cpuUtilization: 70, ...SMALL },
};
