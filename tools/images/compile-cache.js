// Node's compile cache, baked into an image at build time: V8's code for every module a process
// loads at start, so a pod (a module woken from zero above all) skips compiling its module graph.
// The image sets NODE_COMPILE_CACHE to the folder and NODE_COMPILE_CACHE_PORTABLE=1 (entries are
// keyed by paths relative to the folder, so a cache written where /app is staged holds in /app).
// Node keys the cache by its version and V8's flags (so it is written by the image's very Node
// version) and files it in a folder per user id: written by whoever builds, the folder is then
// named for the app user (the images test proves the running process accepts it). On the
// read-only root the process cannot add to the cache and does not retry; a module it lacks is
// compiled as without one.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the cache lives inside the app folder (the image's /app). */
export const COMPILE_CACHE_DIR = '.node-compile-cache';

/** The image config's variables that turn the cache on. */
export function compileCacheEnv(appRoot = '/app') {
  return { NODE_COMPILE_CACHE: `${appRoot}/${COMPILE_CACHE_DIR}`, NODE_COMPILE_CACHE_PORTABLE: '1' };
}

/** Imports every entry, flushes the cache and exits: the loaded modules' code is what is kept. */
const WARM_SCRIPT = `
const { flushCompileCache } = await import('node:module');
for (const entry of JSON.parse(process.argv[1])) await import(entry);
flushCompileCache();
process.exit(0);
`;

function makeReadable(path) {
  chmodSync(path, 0o755);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) makeReadable(child);
    else chmodSync(child, 0o644);
  }
}

/**
 * Writes the compile cache of `app` by loading `entries` (paths relative to `app`: each loaded
 * workspace's dist/index.js; a process's main.js would start it) with `node`, for user `uid`.
 * When `node` is not the image's version it writes nothing and says why.
 */
export function warmCompileCache({ app, entries, node, nodeVersion, uid }) {
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  if (version !== `v${nodeVersion}`) return { written: false, why: `${node} is ${version}, the image runs v${nodeVersion}` };
  const folder = join(app, COMPILE_CACHE_DIR);
  rmSync(folder, { recursive: true, force: true });
  const urls = entries.filter((entry) => existsSync(join(app, entry))).map((entry) => pathToFileURL(join(app, entry)).href);
  execFileSync(node, ['--input-type=module', '-e', WARM_SCRIPT, JSON.stringify(urls)], {
    cwd: app,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...compileCacheEnv(app) },
  });
  // One folder, `<version>-<arch>-<V8 tag>-<uid of this build>`: the app user's from now on.
  const written = readdirSync(folder);
  const own = `-${process.getuid?.() ?? 0}`;
  if (written.length !== 1 || !written[0].endsWith(own)) throw new Error(`unexpected compile cache layout in ${folder}: ${written.join(', ')}`);
  renameSync(join(folder, written[0]), join(folder, `${written[0].slice(0, -own.length)}-${uid}`));
  makeReadable(folder);
  return { written: true, entries: urls.length };
}
