import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { testAmqpManagementUrl, testAmqpUrl, testDatabaseUrl } from './servers.js';

// Every port the project picks by default must lie below Linux's ephemeral range, where outgoing
// connections take their source ports: a server whose fixed port lies there can find it taken
// (RabbitMQ on 56720 did, by the control plane's etcd clients). Port 0 lets the kernel choose.
const EPHEMERAL = { first: 32768, last: 60999 };
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface PortDefault {
  where: string;
  name: string;
  port: number;
}

/** Defaults spelled in a shell script: `${NP_X_PORT:-123}` and literal `--some-port 123` flags. */
function shellPortDefaults(where: string, text: string): PortDefault[] {
  const found: PortDefault[] = [];
  for (const match of text.matchAll(/\$\{(\w*PORT\w*):-(\d+)\}/g)) found.push({ where, name: match[1]!, port: Number(match[2]) });
  for (const match of text.matchAll(/--([\w-]*port)[= ](\d+)\b/g)) found.push({ where, name: `--${match[1]!}`, port: Number(match[2]) });
  return found;
}

/** Defaults spelled in TypeScript settings: `port(123)` and loopback addresses `127.0.0.1:123`. */
function sourcePortDefaults(where: string, text: string): PortDefault[] {
  const found: PortDefault[] = [];
  for (const match of text.matchAll(/\bport\((\d+)\)/g)) found.push({ where, name: match[0], port: Number(match[1]) });
  for (const match of text.matchAll(/(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\]):(\d+)/g)) found.push({ where, name: match[0], port: Number(match[1]) });
  return found;
}

function inEphemeralRange({ port }: PortDefault): boolean {
  return port >= EPHEMERAL.first && port <= EPHEMERAL.last;
}

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.includes('node_modules') && keep(path));
}

function read(path: string): [string, string] {
  return [relative(ROOT, path), readFileSync(path, 'utf8')];
}

/** What tools/lib.sh exports with nothing set beforehand, including ports it derives. */
function libShellDefaults(): PortDefault[] {
  const env = execFileSync('bash', ['-c', 'source tools/lib.sh && env -0'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
    encoding: 'utf8',
  });
  return env
    .split('\0')
    .map((line) => line.split('='))
    .filter(([name, value]) => name !== undefined && /PORT/.test(name) && /^\d+$/.test(value ?? ''))
    .map(([name, value]) => ({ where: 'tools/lib.sh (evaluated)', name: name!, port: Number(value) }));
}

describe('default ports', () => {
  it('are found in shell and TypeScript text (the scanners below see what they must)', () => {
    const shell = shellPortDefaults('x.sh', 'export NP_PG_PORT="${NP_PG_PORT:-54320}"\nkube --secure-port 0 --node-port=40000');
    expect(shell.map(({ name, port }) => [name, port])).toEqual([['NP_PG_PORT', 54320], ['--secure-port', 0], ['--node-port', 40000]]);
    const source = sourcePortDefaults('x.ts', "X: port(54329), URL: url().default('amqp://np:np@127.0.0.1:56720/np')");
    expect(source.filter(inEphemeralRange).map(({ port }) => port)).toEqual([54329, 56720]);
  });

  it('of tools/lib.sh, as it exports them, lie outside the ephemeral range', () => {
    const defaults = libShellDefaults();
    expect(defaults.map(({ name }) => name)).toEqual(expect.arrayContaining(['NP_PG_PORT', 'NP_AMQP_PORT', 'NP_AMQP_MGMT_PORT', 'NP_AMQP_DIST_PORT', 'NP_S3_PORT', 'NP_ETCD_PORT', 'NP_KUBE_APISERVER_PORT', 'NP_KEYCLOAK_PORT', 'NP_KEYCLOAK_MANAGEMENT_PORT']));
    expect(defaults.filter(inEphemeralRange)).toEqual([]);
  });

  it('spelled in the tools/ scripts (servers, control plane) lie outside the ephemeral range', () => {
    const scripts = filesUnder(join(ROOT, 'tools'), (path) => path.endsWith('.sh'));
    const defaults = scripts.flatMap((path) => shellPortDefaults(...read(path)));
    expect(defaults.length).toBeGreaterThan(5);
    expect(defaults.filter(inEphemeralRange)).toEqual([]);
  });

  it('of the settings schemas and test server addresses lie outside the ephemeral range', () => {
    const sources = ['libs', 'services', 'operator'].flatMap((top) =>
      filesUnder(join(ROOT, top), (path) => /\/src\/.*\.ts$/.test(path) && !path.endsWith('.spec.ts') && !path.includes('/dist/')),
    );
    const defaults = sources.flatMap((path) => sourcePortDefaults(...read(path)));
    expect(defaults.map(({ where }) => where)).toEqual(expect.arrayContaining([join('services', 'embedded', 'src', 'settings.ts')]));
    expect(defaults.filter(inEphemeralRange)).toEqual([]);
  });

  it('in config/*.json lie outside the ephemeral range', () => {
    const configs = filesUnder(join(ROOT, 'config'), (path) => path.endsWith('.json'));
    const defaults = configs.flatMap((path) => {
      const [where, text] = read(path);
      return Object.entries(JSON.parse(text) as Record<string, unknown>)
        .filter(([name, value]) => /PORT/.test(name) && /^\d+$/.test(String(value)))
        .map(([name, value]) => ({ where, name, port: Number(value) }));
    });
    expect(defaults.filter(inEphemeralRange)).toEqual([]);
  });

  describe('of @np/testing', () => {
    const names = ['NP_DATABASE_URL', 'NP_AMQP_URL', 'NP_AMQP_MANAGEMENT_URL'] as const;
    const saved = new Map<string, string | undefined>();
    beforeEach(() => {
      for (const name of names) {
        saved.set(name, process.env[name]);
        delete process.env[name];
      }
    });
    afterEach(() => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it('are where tools/servers-up.sh starts the servers by default', () => {
      const shell = new Map(libShellDefaults().map(({ name, port }) => [name, String(port)]));
      expect(new URL(testDatabaseUrl()).port).toBe(shell.get('NP_PG_PORT'));
      expect(new URL(testAmqpUrl()).port).toBe(shell.get('NP_AMQP_PORT'));
      expect(new URL(testAmqpManagementUrl()).port).toBe(shell.get('NP_AMQP_MGMT_PORT'));
    });
  });
});
