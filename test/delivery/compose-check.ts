import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
/** The compose-go version of tools/compose-check/go.mod: the binary is cached under that name. */
const COMPOSE_GO = 'v2.16.2';

/** tools/compose-check, built once per compose-go version (Go and the Go module proxy the first time). */
export function composeCheckBinary(): string {
  const cache = process.env.NP_CACHE_DIR ?? join(homedir(), '.cache/np-platform');
  const binary = join(cache, 'bin', `compose-check-${COMPOSE_GO}`, 'compose-check');
  if (!existsSync(binary)) {
    execFileSync('go', ['build', '-o', binary, '.'], { cwd: join(ROOT, 'tools/compose-check'), stdio: 'inherit', env: { ...process.env, CGO_ENABLED: '0' } });
  }
  return binary;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string | null>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  user?: string;
  profiles?: string[];
}

export interface ComposeProject {
  services: Record<string, ComposeService>;
}

/** The project Docker Compose would run: compose-go loads, checks against the schema and interpolates. */
export function loadCompose(file: string, profiles: string[], env: Record<string, string>): ComposeProject {
  const args = [...profiles.flatMap((profile) => ['--profile', profile]), file];
  const output = execFileSync(composeCheckBinary(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
  return JSON.parse(output) as ComposeProject;
}
