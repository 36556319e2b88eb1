// Child processes of the e2e suite and the benchmark. Plain JavaScript so both Jest and a bare
// `node bench/...` can load it.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const DEFAULT_LOG_DIR = join(ROOT, '.local', 'e2e-logs');

/**
 * Starts `node [nodeArgs] <script>` with `env` added to this process's environment, logging its
 * output to `<logDir>/<name>.log` (the path is kept on `child.logFile`).
 * @param {string} name @param {string} script @param {Record<string, string>} env
 * @param {{ logDir?: string, nodeArgs?: string[] }} [options]
 */
export function startNode(name, script, env, options = {}) {
  const logDir = options.logDir ?? DEFAULT_LOG_DIR;
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.logFile = logFile;
  return child;
}

/** Stops a child: `signal` (SIGTERM by default), then SIGKILL after a grace period. */
export async function stopChild(child, signal = 'SIGTERM', graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * How `child` ended, once it has: `{code, signal}` (at once when it already exited).
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null }>}
 */
export function exitOf(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Polls `probe` until it returns something truthy or `timeoutMs` passes; fails at once if `child`
 * exits. On timeout the error names the probe's last failure, if it threw.
 */
export async function waitUntil(what, probe, timeoutMs = 60_000, child) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what}: process exited with ${child.exitCode}; see ${child.logFile}`);
    try {
      if (await probe()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out waiting for ${what}${cause}`);
}
