import type { Problem } from './problems.js';

/** A definition (data schema and UI schema together, as JSON) may take this many bytes. */
export const MAX_DEFINITION_BYTES = 256 * 1024;
/** Objects and arrays nested deeper than this in a definition are refused. */
export const MAX_DEFINITION_DEPTH = 32;

/**
 * The first place where `value` nests deeper than `maxDepth`, or undefined. Iterative, so a
 * definition nested 10,000 deep is measured without recursion, and it stops at the first
 * place too deep.
 */
export function tooDeep(value: unknown, maxDepth: number, base: string): Problem | undefined {
  const stack: { node: unknown; depth: number; pointer: string }[] = [{ node: value, depth: 0, pointer: base }];
  while (stack.length > 0) {
    const { node, depth, pointer } = stack.pop() as { node: unknown; depth: number; pointer: string };
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return { pointer, message: `nests deeper than ${maxDepth} levels` };
    const entries = Array.isArray(node) ? node.map((item, index) => [String(index), item] as const) : Object.entries(node);
    for (const [key, child] of entries) stack.push({ node: child, depth: depth + 1, pointer: `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}` });
  }
  return undefined;
}

/** Size and depth, checked before anything walks the definition. */
export function checkDefinitionLimits(parts: { dataSchema: unknown; uiSchema: unknown }): Problem[] {
  // Depth first: measuring the size serialises the document, which recursion that deep would not survive.
  const problems: Problem[] = [];
  const deepData = tooDeep(parts.dataSchema, MAX_DEFINITION_DEPTH, '/dataSchema');
  if (deepData) problems.push(deepData);
  const deepUi = tooDeep(parts.uiSchema, MAX_DEFINITION_DEPTH, '/uiSchema');
  if (deepUi) problems.push(deepUi);
  if (problems.length > 0) return problems;
  const bytes = Buffer.byteLength(JSON.stringify(parts.dataSchema) ?? '') + Buffer.byteLength(JSON.stringify(parts.uiSchema ?? null));
  if (bytes > MAX_DEFINITION_BYTES) return [{ pointer: '/dataSchema', message: `the definition takes ${bytes} bytes, more than ${MAX_DEFINITION_BYTES}` }];
  return [];
}
