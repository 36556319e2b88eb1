import { MODULE_MANIFEST } from './module-manifest.js';

type Manifest = (typeof MODULE_MANIFEST)[number];

/** Every name in the manifest: the gateway and every module (the processes that talk on the bus). */
export type ModuleName = Manifest['name'];
/** Modules that answer on the bus (everything but the gateway). */
export type BusModuleName = Extract<Manifest, { kind: 'module' }>['name'];
/** Modules a tenant or deployment may switch on or off. */
export type OptionalModuleName = Extract<Manifest, { alwaysOn: false }>['name'];
export type AlwaysOnModuleName = Extract<Manifest, { alwaysOn: true }>['name'];
/** Modules with a service of their own under services/<name>, started by the launchers. */
export type ImplementedModuleName = Extract<Manifest, { implemented: true }>['name'];
export type ModulePermission = Manifest['permissions'][number];
export type ModuleEvent = Manifest['events'][number];

function namesOf<N extends ModuleName>(keep: (entry: Manifest) => boolean): readonly N[] {
  return MODULE_MANIFEST.filter(keep).map((entry) => entry.name as N);
}

export const MODULE_NAMES: readonly ModuleName[] = namesOf(() => true);
export const BUS_MODULE_NAMES = namesOf<BusModuleName>((entry) => entry.kind === 'module');
export const OPTIONAL_MODULE_NAMES = namesOf<OptionalModuleName>((entry) => !entry.alwaysOn);
export const ALWAYS_ON_MODULE_NAMES = namesOf<AlwaysOnModuleName>((entry) => entry.alwaysOn);

/**
 * The implemented modules in the order a runner starts them: modules in manifest order, the
 * gateway last (it answers /readyz only once the modules it calls are there). Stop in reverse.
 */
export const PROCESS_MODULES: readonly ImplementedModuleName[] = [
  ...namesOf<ImplementedModuleName>((entry) => entry.implemented && entry.kind === 'module'),
  ...namesOf<ImplementedModuleName>((entry) => entry.implemented && entry.kind === 'gateway'),
];

/** Every permission every module defines, in manifest order. */
export const MODULE_PERMISSIONS: readonly ModulePermission[] = MODULE_MANIFEST.flatMap((entry) => entry.permissions);

export function moduleEntry<N extends ModuleName>(name: N): Extract<Manifest, { name: N }> {
  // The manifest holds every ModuleName exactly once (checked by its spec).
  return MODULE_MANIFEST.find((entry) => entry.name === name) as Extract<Manifest, { name: N }>;
}

/** A module's settings prefix: `form-builder` → `NP_FORM_BUILDER`. */
export function settingsPrefixOf(name: ModuleName): string {
  return `NP_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** The implemented modules with a data listener (an HTTP surface, manifest `ports.http`), with the settings that place it. */
export interface DataListener {
  name: BusModuleName;
  /** Where the gateway reaches it, e.g. `NP_FILES_URL`. */
  urlSetting: string;
  /** The port the module listens on, e.g. `NP_FILES_DATA_PORT`. */
  portSetting: string;
  /** Its port in a cluster and on loopback. */
  port: number;
  localPort: number;
}

/** Modules that call public addresses (`egress: 'public'`). */
export const PUBLIC_EGRESS_MODULES: readonly ModuleName[] = namesOf((entry) => 'egress' in entry && entry.egress === 'public');

export const DATA_LISTENERS: readonly DataListener[] = MODULE_MANIFEST.flatMap((entry): DataListener[] => {
  if (!entry.implemented || entry.kind !== 'module' || entry.ports.http === null || !('localHttpPort' in entry)) return [];
  const prefix = settingsPrefixOf(entry.name);
  return [{ name: entry.name, urlSetting: `${prefix}_URL`, portSetting: `${prefix}_DATA_PORT`, port: entry.ports.http, localPort: entry.localHttpPort }];
});
