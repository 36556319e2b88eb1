export type { ModuleDeployment, ModuleEntry, Quantities } from './module-entry.js';
export { MODULE_MANIFEST } from './module-manifest.js';
export { renderModuleTable } from './module-table.js';
export {
  ALWAYS_ON_MODULE_NAMES,
  BUS_MODULE_NAMES,
  DATA_LISTENERS,
  settingsPrefixOf,
  type DataListener,
  MODULE_NAMES,
  MODULE_PERMISSIONS,
  OPTIONAL_MODULE_NAMES,
  PROCESS_MODULES,
  PUBLIC_EGRESS_MODULES,
  moduleEntry,
  type AlwaysOnModuleName,
  type BusModuleName,
  type ImplementedModuleName,
  type ModuleEvent,
  type ModuleName,
  type ModulePermission,
  type OptionalModuleName,
} from './module-lists.js';
