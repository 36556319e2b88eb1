import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

export interface LoadSettingsOptions {
  /** Variables to read; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Folder holding `default.json` and `<NP_ENV>.json`; defaults to `NP_CONFIG_DIR` or `./config`. */
  configDir?: string;
}

/** Thrown when settings are missing or invalid; its message names every bad setting. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'SettingsError';
  }
}

/**
 * Reads settings once at start: `config/default.json`, then `config/<NP_ENV>.json`, then the
 * environment (highest precedence), and validates the merge against `schema`. Keys are the
 * environment variable names, so one name means one thing in every source.
 */
export function loadSettings<S extends z.ZodType>(schema: S, options: LoadSettingsOptions = {}): z.output<S> {
  const env = options.env ?? process.env;
  const configDir = options.configDir ?? env.NP_CONFIG_DIR ?? join(process.cwd(), 'config');
  const environment = env.NP_ENV ?? 'development';
  const merged = {
    ...readJsonFile(join(configDir, 'default.json')),
    ...readJsonFile(join(configDir, `${environment}.json`)),
    ...definedOnly(env),
  };
  const result = schema.safeParse(merged);
  if (result.success) return result.data;
  throw new SettingsError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}

/**
 * Loads settings or stops the process with one clear line per bad setting. Secrets never reach
 * the output: only names and the validator's message are printed, never values.
 */
export function loadSettingsOrExit<S extends z.ZodType>(schema: S, options: LoadSettingsOptions = {}): z.output<S> {
  try {
    return loadSettings(schema, options);
  } catch (error) {
    if (error instanceof SettingsError) {
      for (const problem of error.problems) process.stderr.write(`configuration error: ${problem}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

function readJsonFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SettingsError([`${path}: must hold a JSON object`]);
  }
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, stringify(value)]));
}

/** File values are normalised to strings so the same coercing schema serves files and env. */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join(',');
  return JSON.stringify(value);
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
