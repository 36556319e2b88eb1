import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moduleEntry, PROCESS_MODULES } from '@np/modules';
import { composeCheckBinary, type ComposeProject, loadCompose } from './compose-check.js';

// compose.yaml as Docker Compose reads it, without Docker: compose-go (tools/compose-check) checks
// it against the Compose Specification, resolves anchors, interpolation and profiles.

const FILE = join(import.meta.dirname, '../../compose.yaml');
const SECRETS = { NP_SIGNING_KEY_ENCRYPTION_KEY: 'a-key', NP_BOOTSTRAP_ADMIN_PASSWORD: 'a long password' };
const SERVERS = ['postgres', 'rabbitmq'];
let project: ComposeProject;

beforeAll(() => {
  composeCheckBinary();
  project = loadCompose(FILE, [], SECRETS);
}, 300_000);

describe('compose.yaml', () => {
  it('runs the servers and one container per process of the module manifest by default', () => {
    expect(Object.keys(project.services).sort()).toEqual([...SERVERS, ...PROCESS_MODULES].sort());
  });

  it.each(PROCESS_MODULES)('builds %s from the root Dockerfile under its manifest image name, non-root on a read-only root', (name) => {
    const service = project.services[name]!;
    expect(service.image).toBe(`ghcr.io/np-platform/${moduleEntry(name).image}:0.1.0`);
    expect(service.build?.args).toEqual({ WORKSPACE: `services/${name}` });
    expect(service).toMatchObject({ read_only: true, user: '10001:10001' });
    expect(service.environment).toMatchObject({ NP_OPS_HOST: '0.0.0.0', NP_AMQP_URL: 'amqp://np:np@rabbitmq:5672/np' });
    expect(service.healthcheck?.test.join(' ')).toContain('/healthz');
  });

  it('starts each container once what it depends on is healthy, and everything it waits for has a healthcheck', () => {
    for (const [name, service] of Object.entries(project.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_healthy' });
        expect(project.services[dependency]?.healthcheck).toBeDefined();
      }
    }
    expect(Object.keys(project.services.gateway!.depends_on ?? {}).sort()).toEqual(['auth', 'rabbitmq', 'users']);
  });

  it('adds the S3 server and Keycloak with their profiles', () => {
    const full = loadCompose(FILE, ['s3', 'keycloak'], SECRETS);
    expect(Object.keys(full.services).sort()).toEqual([...SERVERS, ...PROCESS_MODULES, 'keycloak', 'versitygw'].sort());
    expect(full.services.keycloak?.depends_on).toEqual({ postgres: expect.objectContaining({ condition: 'service_healthy' }) });
  });

  it('is checked against the schema: a misspelt key fails the load', () => {
    const folder = mkdtempSync(join(tmpdir(), 'np-compose-'));
    try {
      writeFileSync(join(folder, 'compose.yaml'), readFileSync(FILE, 'utf8').replace('    read_only: true', '    read_onli: true'));
      expect(() => loadCompose(join(folder, 'compose.yaml'), [], SECRETS)).toThrow(/read_onli/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses to start without the secrets, naming them', () => {
    let message = '';
    try {
      execFileSync(composeCheckBinary(), [FILE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    } catch (error) {
      message = String((error as { stderr?: string }).stderr);
    }
    expect(message).toContain('NP_SIGNING_KEY_ENCRYPTION_KEY');
  });
});
