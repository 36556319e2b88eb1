import { randomUUID } from 'node:crypto';
import { isAbsolute, join, relative, resolve } from 'node:path';

/**
 * Object keys, and the one place that turns a key into a path. Keys are generated here, never
 * derived from what a user sent (names are metadata); a key that does not look like one of ours
 * is refused before it reaches a disk or a bucket.
 */
const KEY_PATTERN = /^objects\/[0-9a-f]{2}\/[0-9a-f-]{36}$/;

export function newObjectKey(): string {
  const id = randomUUID();
  // Two hex characters of fan-out keep folders (local disk) and listings small.
  return `objects/${id.slice(0, 2)}/${id}`;
}

export function assertObjectKey(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new Error(`Not an object key: ${JSON.stringify(key)}.`);
  return key;
}

/** The file a key names under `root`, checked to stay inside it. */
export function pathInside(root: string, key: string): string {
  const base = resolve(root);
  const path = resolve(join(base, assertObjectKey(key)));
  const rel = relative(base, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`Object key ${key} leaves the storage folder.`);
  return path;
}
