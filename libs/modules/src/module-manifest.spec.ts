import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { MODULE_NAMES, OPTIONAL_MODULE_NAMES, PROCESS_MODULES, moduleEntry } from './module-lists.js';
import { MODULE_MANIFEST } from './module-manifest.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('the module manifest', () => {
  it('names each module once, as a lower-case folder name', () => {
    expect(new Set(MODULE_NAMES).size).toBe(MODULE_NAMES.length);
    for (const name of MODULE_NAMES) expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('has one gateway, always on and off the bus; auth is always on; the rest are optional modules', () => {
    expect(MODULE_MANIFEST.filter((entry) => entry.kind === 'gateway').map((entry) => entry.name)).toEqual(['gateway']);
    expect(moduleEntry('gateway')).toMatchObject({ alwaysOn: true, bus: null, schema: null });
    expect(moduleEntry('auth').alwaysOn).toBe(true);
    expect(OPTIONAL_MODULE_NAMES).toEqual(MODULE_NAMES.filter((name) => name !== 'gateway' && name !== 'auth'));
  });

  it.each(MODULE_MANIFEST.filter((entry) => entry.kind === 'module'))('keeps $name inside its own namespace', (entry) => {
    expect(entry.bus).toEqual({ queue: `rpc.${entry.name}`, patternPrefix: `${entry.name}.` });
    const namespace = 'namespace' in entry ? entry.namespace : entry.name;
    for (const event of entry.events) expect(event.startsWith(`${namespace}.`)).toBe(true);
    for (const permission of entry.permissions) expect(permission).toMatch(new RegExp(`^${namespace}:[a-z-]+$`));
    for (const permission of entry.managerPermissions) expect(entry.permissions).toContain(permission);
    expect(entry.schema).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
  });

  it('lets no two modules share a namespace of events and permissions', () => {
    const namespaces = MODULE_MANIFEST.map((entry) => ('namespace' in entry ? entry.namespace : entry.name));
    expect(new Set(namespaces).size).toBe(namespaces.length);
  });

  it('gives every module its own schema and local ops port, outside the ephemeral range', () => {
    const schemas = MODULE_MANIFEST.map((entry) => entry.schema).filter((schema) => schema !== null);
    expect(new Set(schemas).size).toBe(schemas.length);
    const ports = MODULE_MANIFEST.map((entry) => entry.localOpsPort).filter((port) => port !== 0);
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port < 32768 || port > 60999).toBe(true);
  });

  it('gives every module with an HTTP surface a loopback port of its own, apart from the ops ports and outside the ephemeral range', () => {
    const ops = MODULE_MANIFEST.flatMap((entry) => [entry.ports.ops, entry.localOpsPort]);
    const modules = MODULE_MANIFEST.filter((entry) => entry.kind === 'module' && entry.ports.http !== null);
    const local = modules.map((entry) => ('localHttpPort' in entry ? entry.localHttpPort : undefined));
    expect(local).not.toContain(undefined);
    expect(new Set(local).size).toBe(local.length);
    for (const port of local) {
      expect(ops).not.toContain(port);
      expect((port ?? 0) < 32768 || (port ?? 0) > 60999).toBe(true);
    }
  });

  it.each(MODULE_MANIFEST)('marks $name implemented exactly when services/$name exists', (entry) => {
    expect(existsSync(join(ROOT, 'services', entry.name, 'package.json'))).toBe(entry.implemented);
  });

  it('starts the implemented modules in manifest order, the gateway last', () => {
    const implemented = MODULE_MANIFEST.filter((entry) => entry.implemented).map((entry) => entry.name);
    expect(PROCESS_MODULES).toEqual([...implemented.filter((name) => name !== 'gateway'), 'gateway']);
    expect(PROCESS_MODULES.slice(0, 2)).toEqual(['auth', 'users']);
  });
});
