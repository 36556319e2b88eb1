#!/usr/bin/env node
// Stages the /app folder of one image: what the Dockerfile's build stage and the daemonless build
// (tools/images.js) both put into the runtime image.
//
//   node tools/images/stage-app.js <workspace folder> <out folder>
//
// <out>/package.json, package-lock.json and the package.json of each workspace the process loads;
// <out>/node_modules with the production dependencies of that workspace only (`npm ci --omit=dev
// --omit=optional --workspace`: the optional ones are embedded PostgreSQL's platform binaries and
// pg-cloudflare, which a pod never loads); the compiled dist of the workspace and of every
// workspace it depends on (no sources, specs, declarations or source maps); for the gateway, the
// `<package>/contracts` of every implemented module, imported by name at start; <out>/main.mjs,
// the entry point; <out>/.node-compile-cache, the code V8 compiled for all of it (compile-cache.js).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { warmCompileCache } from './compile-cache.js';
import { workspaceGraph } from './workspaces.js';

const ROOT = join(import.meta.dirname, '../..');

/** Compiled files a process loads: no declarations, maps, specs or build info. */
function runtimeFile(source) {
  return !/\.(d\.ts|d\.ts\.map|js\.map|tsbuildinfo)$/.test(source) && !/\.spec\.js$/.test(source);
}

function copyDist(from, to) {
  if (!existsSync(from)) throw new Error(`${relative(ROOT, from)} is missing: run \`npm run build\` first`);
  cpSync(from, to, { recursive: true, filter: (source) => runtimeFile(source) });
}

/** Bare specifiers a compiled file loads (static and literal dynamic imports, require.resolve). */
function bareSpecifiers(source) {
  const found = new Set();
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*|\.resolve\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
    const specifier = match[1];
    if (specifier.startsWith('node:')) continue;
    found.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
  }
  return found;
}

function walk(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

/**
 * Every package the staged dist loads must be installed where Node looks for it: a package a
 * workspace uses without declaring it is found in the development tree (hoisted from the root)
 * and missing from the image, which would fail at start in a pod.
 */
function assertResolvable(out, folders) {
  const missing = [];
  for (const folder of folders) {
    const dist = join(out, folder, 'dist');
    if (!existsSync(dist)) continue;
    for (const file of walk(dist).filter((name) => name.endsWith('.js'))) {
      for (const name of bareSpecifiers(readFileSync(file, 'utf8'))) {
        let at = dirname(file);
        while (!existsSync(join(at, 'node_modules', name)) && at.startsWith(out) && at !== out) at = dirname(at);
        if (!existsSync(join(at, 'node_modules', name))) missing.push(`${relative(out, file)} loads ${name}`);
      }
    }
  }
  if (missing.length > 0) throw new Error(`not installed in the image (add it to the workspace's package.json dependencies):\n  ${missing.join('\n  ')}`);
}

/** The user the images run as (the Dockerfile's USER, build-images.js's config.user). */
export const APP_UID = 10001;

/**
 * Stages `workspace` into `out`. `compileCache` names the Node binary the image runs (and its
 * version) to write the compile cache with; without it, or when it cannot be written, the image
 * simply starts without one.
 */
export async function stageApp(workspace, out, compileCache = undefined) {
  const graph = workspaceGraph(ROOT);
  const plan = await graph.imagePlan(workspace);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // npm ci checks the lockfile against every workspace's package.json: all of them are staged for
  // the install, and the ones the process does not load are removed afterwards.
  for (const file of ['package.json', 'package-lock.json', ...graph.folders.map((folder) => join(folder, 'package.json'))]) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    cpSync(join(ROOT, file), join(out, file));
  }
  execFileSync(
    'npm',
    ['ci', '--omit=dev', '--omit=optional', `--workspace=${workspace}`, '--include-workspace-root=false', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    { cwd: out, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  const kept = new Set([...plan.full, ...plan.contractsOnly]);
  for (const folder of graph.folders) if (!kept.has(folder)) rmSync(join(out, folder), { recursive: true, force: true });
  for (const parent of ['libs', 'services']) if (existsSync(join(out, parent)) && readdirSync(join(out, parent)).length === 0) rmSync(join(out, parent), { recursive: true });
  for (const folder of plan.full) copyDist(join(ROOT, folder, 'dist'), join(out, folder, 'dist'));
  for (const folder of plan.contractsOnly) {
    copyDist(join(ROOT, folder, 'dist/contracts'), join(out, folder, 'dist/contracts'));
    // npm links only the workspaces the installed one depends on; the gateway imports these by name.
    const link = join(out, 'node_modules', graph.packageOf(folder));
    if (!existsSync(link)) {
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(relative(dirname(link), join(out, folder)), link);
    }
  }
  rmSync(join(out, 'node_modules/.package-lock.json'), { force: true });
  assertResolvable(out, [...plan.full, ...plan.contractsOnly]);
  writeFileSync(join(out, 'main.mjs'), `// The process of this image: ${workspace}.\nimport './${plan.main}';\n`);
  if (compileCache) {
    // Each workspace's library entry: what main.js loads, without starting the process.
    const entries = [...plan.full.map((folder) => `${folder}/dist/index.js`), ...plan.contractsOnly.map((folder) => `${folder}/dist/contracts/index.js`)];
    plan.compileCache = warmCompileCache({ app: out, entries, uid: APP_UID, ...compileCache });
  }
  return plan;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [workspace, out] = process.argv.slice(2);
  if (!workspace || !out) {
    console.error('usage: node tools/images/stage-app.js <workspace folder> <out folder>');
    process.exit(2);
  }
  // Run by the Dockerfile's build stage, whose Node is the runtime stage's.
  const plan = await stageApp(workspace.replace(/\/+$/, ''), out, { node: process.execPath, nodeVersion: process.versions.node });
  const cache = plan.compileCache.written ? `compile cache of ${plan.compileCache.entries} entries` : `no compile cache (${plan.compileCache.why})`;
  console.log(`staged ${workspace} into ${out}: ${plan.full.length} workspaces, ${plan.contractsOnly.length} contracts, ${cache}`);
}
