import { loadSettingsOrExit } from '@np/config';
import type { BusModuleName } from '@np/modules';
import type { z } from 'zod';
import { runDistributed, type RunningService } from './run-distributed.js';
import type { ServiceDeps } from './service-deps.js';

/**
 * How a module is started, whatever the shape: its name, the settings it reads and a function
 * that starts it on the dependencies it is given. Each service's entry point exports one as
 * `moduleService`; its `main.ts` runs it in a process of its own, the embedded launcher runs all
 * of them in one.
 */
export interface ModuleServiceDefinition<Settings extends ModuleProcessSettings = ModuleProcessSettings> {
  name: BusModuleName;
  settingsSchema: z.ZodType<Settings>;
  start(options: { deps: ServiceDeps; settings: Settings }): Promise<RunningService>;
}

/** What every module's settings hold for its own process (bus, ops port, shutdown grace). */
export type ModuleProcessSettings = Parameters<typeof runDistributed>[1];

export function defineModuleService<Settings extends ModuleProcessSettings>(service: ModuleServiceDefinition<Settings>): ModuleServiceDefinition<Settings> {
  return service;
}

/** The `main` of a module's own process (distributed and cluster shapes): settings from the environment, then the bus. */
export async function runModuleProcess<Settings extends ModuleProcessSettings>(service: ModuleServiceDefinition<Settings>): Promise<void> {
  const settings = loadSettingsOrExit(service.settingsSchema);
  await runDistributed(service.name, settings, (deps) => service.start({ deps, settings }));
}

export function isModuleServiceDefinition(value: unknown): value is ModuleServiceDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ModuleServiceDefinition>;
  return typeof candidate.name === 'string' && typeof candidate.start === 'function' && typeof candidate.settingsSchema === 'object';
}
