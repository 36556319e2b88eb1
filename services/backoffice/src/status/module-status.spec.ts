import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Logger } from '@np/observability';
import { ModuleStatusService } from './module-status.js';

const logger = { warn: jest.fn() } as unknown as Logger;
const overRabbitMq = { kind: 'rabbitmq' as const, isReady: () => true };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'module-status-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function service(file: string, modules = 'users') {
  return new ModuleStatusService(overRabbitMq, { NP_MODULES: modules, NP_AMQP_URL: 'amqp://u:p@localhost/tenant-acme', NP_AMQP_MANAGEMENT_URL: '', NP_MODULE_STATUS_FILE: file }, logger);
}

describe('module status', () => {
  it('takes enabled, desired, ready and asleep from the Tenant status file the operator keeps', async () => {
    const file = join(dir, 'modules.json');
    const modules = [
      { name: 'users', enabled: true, desired: 2, ready: 2 },
      { name: 'files', enabled: true, desired: 2, ready: 1 },
      { name: 'reports', enabled: true, desired: 0, ready: 0, asleep: true },
      { name: 'form-builder', enabled: false, desired: 0, ready: 0 },
    ];
    await writeFile(file, JSON.stringify({ modules }));
    const byName = new Map((await service(file).list()).map((entry) => [entry.name, entry]));
    expect(byName.get('users')).toEqual({ name: 'users', enabled: true, ready: true, replicas: 2, desired: 2, asleep: false, queueDepth: null });
    expect(byName.get('files')).toMatchObject({ ready: false, replicas: 1, desired: 2 });
    expect(byName.get('reports')).toMatchObject({ enabled: true, ready: false, replicas: 0, asleep: true });
    expect(byName.get('form-builder')).toMatchObject({ enabled: false, ready: false, asleep: false });
  });

  it('falls back to the settings when the file is missing or not the operator\'s, and says what it does not know', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"modules": "no"}');
    for (const file of [join(dir, 'absent.json'), broken]) {
      const byName = new Map((await service(file, 'files').list()).map((entry) => [entry.name, entry]));
      expect(byName.get('files')).toEqual({ name: 'files', enabled: true, ready: null, replicas: null, desired: null, asleep: null, queueDepth: null });
      expect(byName.get('reports')).toMatchObject({ enabled: false });
    }
    expect(logger.warn).toHaveBeenCalled();
  });
});
