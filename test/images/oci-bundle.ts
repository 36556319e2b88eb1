import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of an OCI runtime spec (config.json, written by `umoci unpack`) this suite changes. */
interface RuntimeSpec {
  process: { terminal: boolean; env: string[]; user: { uid: number; gid: number }; args: string[]; cwd: string };
  root: { path: string; readonly?: boolean };
  linux: { namespaces: { type: string }[] };
}

export interface Bundle {
  dir: string;
  rootfs: string;
  spec: RuntimeSpec;
}

/**
 * Unpacks an image of the OCI layout into a runtime bundle, as a node's runtime would: the
 * image's own user, entrypoint, working directory and environment, with the root filesystem
 * mounted read-only. The network namespace is the host's, so the process reaches the servers on
 * loopback and the suite reaches its ports.
 */
export function unpackBundle(layout: string, tag: string, dir: string, env: Record<string, string>): Bundle {
  rmSync(dir, { recursive: true, force: true });
  execFileSync('umoci', ['unpack', '--image', `${layout}:${tag}`, dir], { stdio: 'ignore' });
  const file = join(dir, 'config.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as RuntimeSpec;
  const imageEnv = [...spec.process.env];
  spec.process.terminal = false;
  spec.process.env = [...imageEnv, ...Object.entries(env).map(([key, value]) => `${key}=${value}`)];
  spec.root.readonly = true;
  spec.linux.namespaces = spec.linux.namespaces.filter((namespace) => namespace.type !== 'network');
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return { dir, rootfs: join(dir, spec.root.path), spec: { ...spec, process: { ...spec.process, env: imageEnv } } };
}

export interface Container {
  id: string;
  exited: Promise<number | null>;
  output(): string;
  /** The host pid of the container's first process (the image's entrypoint). */
  pid(): number;
  kill(signal: string): void;
  exec(args: string[], user: string): string;
  remove(): void;
}

/** `runc run` in the foreground: its exit code is the container process's. */
export function runContainer(bundle: Bundle, id: string): Container {
  execFileSync('runc', ['delete', '--force', id], { stdio: 'ignore' });
  const child: ChildProcess = spawn('runc', ['run', '--bundle', bundle.dir, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    id,
    exited,
    output: () => output,
    pid: () => (JSON.parse(execFileSync('runc', ['state', id], { encoding: 'utf8' })) as { pid: number }).pid,
    kill: (signal) => execFileSync('runc', ['kill', id, signal]),
    exec: (args, user) =>
      execFileSync('runc', ['exec', '--user', user, id, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    remove: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      execFileSync('runc', ['delete', '--force', id], { stdio: 'ignore' });
    },
  };
}
