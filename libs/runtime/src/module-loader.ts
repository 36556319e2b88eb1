import { moduleEntry, PROCESS_MODULES, type BusModuleName } from '@np/modules';
import { isModuleServiceDefinition, type ModuleServiceDefinition } from './module-service-definition.js';

/**
 * Modules are found by name from the manifest, never listed in code: a process that serves or
 * starts every module imports each one's package (`<package>` and `<package>/contracts`), so a
 * new module needs no line in the gateway or the launcher.
 */

/** The implemented modules that answer on the bus, in start order. */
export function implementedBusModules(): BusModuleName[] {
  return PROCESS_MODULES.filter((name): name is BusModuleName & typeof name => moduleEntry(name).kind === 'module');
}

/** Registers the contracts (patterns, events, routes) of the given modules in this process. */
export async function importModuleContracts(names: readonly BusModuleName[] = implementedBusModules()): Promise<void> {
  for (const name of names) await import(`${moduleEntry(name).package}/contracts`);
}

/** A module's `moduleService` export, checked. */
export async function importModuleService(name: BusModuleName): Promise<ModuleServiceDefinition> {
  const specifier = moduleEntry(name).package;
  const loaded = (await import(specifier)) as { moduleService?: unknown };
  if (!isModuleServiceDefinition(loaded.moduleService) || loaded.moduleService.name !== name) {
    throw new Error(`${specifier} does not export the moduleService of ${name} (defineModuleService in its index.ts).`);
  }
  return loaded.moduleService;
}
