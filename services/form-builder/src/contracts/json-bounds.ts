import { jsonObject } from './json-object.js';

/** Objects and arrays nested deeper than this in a definition or in submitted data are refused. */
export const MAX_JSON_DEPTH = 32;

/**
 * The first place where `value` nests deeper than `maxDepth`, as a JSON Pointer under `base`, or
 * undefined. Iterative, and it stops at the first place too deep: a body nested 10,000 levels is
 * measured without recursion (serialising it for the bus would overflow the stack). Every request
 * passes the depth check and almost none fails it, so it is measured first without building a
 * pointer, and the pointer is made only for a value that is too deep.
 */
export function firstTooDeep(value: unknown, maxDepth: number, base: string): string | undefined {
  return nestsDeeperThan(value, maxDepth) ? pointerTooDeep(value, maxDepth, base) : undefined;
}

/** Whether an object or array lies `maxDepth` levels down: no pointers, no per-member allocation. */
function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    const depth = depths.pop() ?? 0;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return true;
    const children: readonly unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function pointerTooDeep(value: unknown, maxDepth: number, base: string): string | undefined {
  const stack: { node: unknown; depth: number; pointer: string }[] = [{ node: value, depth: 0, pointer: base }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { node, depth, pointer } = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return pointer;
    const entries = Array.isArray(node) ? node.map((item: unknown, index) => [String(index), item] as const) : Object.entries(node as Record<string, unknown>);
    for (const [key, child] of entries) stack.push({ node: child, depth: depth + 1, pointer: `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}` });
  }
  return undefined;
}

/**
 * A JSON object nested at most MAX_JSON_DEPTH levels, checked where the request is parsed (the
 * gateway): the issue names the place too deep (`params.pointer`, from the body's root at `base`).
 */
export function boundedJsonObject(base: string) {
  return jsonObject().superRefine((value, ctx) => {
    const pointer = firstTooDeep(value, MAX_JSON_DEPTH, base);
    if (pointer !== undefined) ctx.addIssue({ code: 'custom', message: `nests deeper than ${MAX_JSON_DEPTH} levels`, params: { pointer } });
  });
}
