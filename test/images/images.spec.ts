import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCacheEnv } from '../../tools/images/compile-cache.js';
import { type Bundle, type Container, runContainer, unpackBundle } from './oci-bundle.js';

// The images of `npm run images`, run as a node would run them: unpacked from the OCI layout and
// started by runc from their own config (uid 10001, `node /app/main.mjs`, read-only root) against
// the real servers of tools/servers-up.sh. Needs root (runc without user namespaces) and the
// servers' environment (NP_AMQP_URL, NP_DATABASE_URL). `npm run test:images`.

const ROOT = join(import.meta.dirname, '../..');
const IMAGES = join(process.env.NP_STATE_DIR ?? join(ROOT, '.local'), 'images');
const LAYOUT = join(IMAGES, 'oci');
const PORT_BASE = Number(process.env.NP_IMAGES_TEST_PORT_BASE ?? '19180');
const GATEWAY_PORT = PORT_BASE + 1;
const GATEWAY_OPS_PORT = PORT_BASE + 2;
const USERS_OPS_PORT = PORT_BASE + 3;

interface ImageSummary {
  ref: string;
  workspace: string;
  layoutTag: string;
  bytes: number;
}

const servers = { NP_AMQP_URL: process.env.NP_AMQP_URL ?? '', NP_DATABASE_URL: process.env.NP_DATABASE_URL ?? '' };
const lockfile = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
/** Every package only development needs (the compiler, the test runner, the linters, their dependencies). */
const DEV_ONLY = Object.entries(lockfile.packages)
  .filter(([path, entry]) => entry.dev === true && path.startsWith('node_modules/') && !path.includes('/node_modules/', 'node_modules/'.length))
  .map(([path]) => path.slice('node_modules/'.length));
const work = join(tmpdir(), `np-images-test-${process.pid}`);
let summary: Record<string, ImageSummary>;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, container: Container, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached; container output:\n${container.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function status(url: string, expected = 200): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(url);
  return response.status === expected ? ((await response.json()) as Record<string, unknown>) : undefined;
}

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}

beforeAll(() => {
  if (servers.NP_AMQP_URL === '' || servers.NP_DATABASE_URL === '') throw new Error('source .local/servers.env first (npm run servers:up)');
  if (process.getuid?.() !== 0) throw new Error('runs the images with runc as root: run as root');
  // Builds what it tests; instant when `npm run images` built them from the same inputs.
  execFileSync('node', ['tools/images/build-images.js', 'gateway', 'users'], { cwd: ROOT, stdio: 'inherit' });
  summary = JSON.parse(readFileSync(join(IMAGES, 'images.json'), 'utf8')) as Record<string, ImageSummary>;
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface ImageCase {
  image: string;
  env: Record<string, string>;
  healthz: string;
  ready: string;
  serves: () => Promise<void>;
}

describe.each<ImageCase>([
  {
    image: 'users',
    env: { ...servers, NP_OPS_PORT: String(USERS_OPS_PORT), NP_SHUTDOWN_GRACE_MS: '5000' },
    healthz: `http://127.0.0.1:${USERS_OPS_PORT}/healthz`,
    // Bus and database answer: the image reached the real servers.
    ready: `http://127.0.0.1:${USERS_OPS_PORT}/readyz`,
    serves: async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${USERS_OPS_PORT}/metrics`)).text();
      expect(metrics).toMatch(/^process_cpu_seconds_total/m);
    },
  },
  {
    image: 'gateway',
    env: { NP_AMQP_URL: servers.NP_AMQP_URL, PORT: String(GATEWAY_PORT), NP_OPS_PORT: String(GATEWAY_OPS_PORT), NP_SHUTDOWN_GRACE_MS: '5000' },
    healthz: `http://127.0.0.1:${GATEWAY_PORT}/healthz`,
    ready: `http://127.0.0.1:${GATEWAY_OPS_PORT}/healthz`,
    // The routes of every implemented module, from their `<package>/contracts` inside the image,
    // and the docs page's assets (swagger-ui-dist).
    serves: async () => {
      const document = (await (await fetch(`http://127.0.0.1:${GATEWAY_PORT}/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/auth/login', '/v1/users']));
      expect((await fetch(`http://127.0.0.1:${GATEWAY_PORT}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
    },
  },
])('the $image image', ({ image, env, healthz, ready, serves }) => {
  let bundle: Bundle;
  let container: Container;

  beforeAll(() => {
    bundle = unpackBundle(LAYOUT, summary[image]!.layoutTag, join(work, image), env);
    container = runContainer(bundle, `np-images-test-${image}-${process.pid}`);
  }, 300_000);
  afterAll(() => container?.remove());

  it('is named and sized as built', () => {
    const { ref, bytes } = summary[image]!;
    expect(ref).toMatch(new RegExp(`/${image}:[^:/]+$`));
    expect(existsSync(join(IMAGES, `${image}.tar`))).toBe(true);
    expect(statSync(join(IMAGES, `${image}.tar`)).size).toBe(bytes);
    console.log(`${ref}: ${(bytes / 1e6).toFixed(1)} MB (docker-archive)`);
  });

  it('runs node /app/main.mjs as uid 10001 from the image config', () => {
    expect(bundle.spec.process.user).toMatchObject({ uid: 10001, gid: 10001 });
    expect(bundle.spec.process.args).toEqual(['node', '/app/main.mjs']);
    expect(bundle.spec.process.env).toContain('NODE_ENV=production');
  });

  it('holds no development-only package, no sources and no file the app user owns', () => {
    const modules = join(bundle.rootfs, 'app/node_modules');
    expect(DEV_ONLY).toEqual(expect.arrayContaining(['jest', 'typescript', 'eslint', 'nx', '@swc/core']));
    expect(DEV_ONLY.filter((name) => existsSync(join(modules, name)))).toEqual([]);
    for (const folder of ['libs', 'services']) {
      for (const workspace of readdirSync(join(bundle.rootfs, 'app', folder))) {
        expect(readdirSync(join(bundle.rootfs, 'app', folder, workspace)).sort()).toEqual(['dist', 'package.json']);
      }
    }
    const owned = execFileSync('find', [join(bundle.rootfs, 'app'), '-not', '-uid', '0'], { encoding: 'utf8' }).trim();
    expect(owned).toBe('');
  });

  it('answers /healthz and becomes ready against the real servers', async () => {
    expect(await waitFor(`${healthz} 200`, () => status(healthz), container)).toEqual({ status: 'ok' });
    await waitFor(`${ready} 200`, () => status(ready), container);
  }, 90_000);

  it('serves what its image holds', serves);

  it('runs its entrypoint as PID 1 of its namespace, as uid 10001, on a read-only root', () => {
    const pid = container.pid();
    expect(uidOf(pid)).toBe(10001);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual(['node', '/app/main.mjs']);
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
    const probe = "for (const f of ['/app/probe', '/tmp/probe']) { try { require('fs').writeFileSync(f, 'x'); console.log(f, 'written'); } catch (e) { console.log(f, e.code); } }";
    expect(container.exec(['node', '-e', probe], '10001:10001').trim().split('\n')).toEqual(['/app/probe EROFS', '/tmp/probe EROFS']);
  });

  it('loads its code from the compile cache baked at build time, as the app user, on the read-only root', () => {
    expect(bundle.spec.process.env).toEqual(expect.arrayContaining(Object.entries(compileCacheEnv()).map(([key, value]) => `${key}=${value}`)));
    // A second process of the image loads the workspace's module graph with Node's cache log on.
    const entry = `/app/${summary[image]!.workspace}/dist/index.js`;
    const probe = [
      "const { spawnSync } = require('node:child_process');",
      `const run = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('${entry}'); process.exit(0)"], { env: { ...process.env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });`,
      'const log = run.stdout + run.stderr;',
      "console.log(JSON.stringify({ status: run.status, accepted: (log.match(/was accepted/g) ?? []).length, rejected: (log.match(/was rejected/g) ?? []).length }));",
    ].join('\n');
    const loaded = JSON.parse(container.exec(['node', '-e', probe], '10001:10001').trim()) as { status: number; accepted: number; rejected: number };
    console.log(`${image}: ${loaded.accepted} modules from the compile cache`);
    expect(loaded).toMatchObject({ status: 0, rejected: 0 });
    expect(loaded.accepted).toBeGreaterThan(500);
  });

  it('exits 0 on SIGTERM', async () => {
    container.kill('TERM');
    expect(await container.exited).toBe(0);
    expect(container.output()).toContain('shut down cleanly');
  }, 30_000);
});
