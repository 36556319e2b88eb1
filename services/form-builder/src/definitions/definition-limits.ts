import { firstTooDeep, MAX_JSON_DEPTH } from '../contracts/json-bounds.js';
import type { Problem } from './problems.js';

/** A definition (data schema and UI schema together, as JSON) may take this many bytes. */
export const MAX_DEFINITION_BYTES = 256 * 1024;
/** Objects and arrays nested deeper than this in a definition are refused (also where the gateway parses the request). */
export const MAX_DEFINITION_DEPTH = MAX_JSON_DEPTH;

/** The first place where `value` nests deeper than `maxDepth`, or undefined (see `firstTooDeep`). */
export function tooDeep(value: unknown, maxDepth: number, base: string): Problem | undefined {
  const pointer = firstTooDeep(value, maxDepth, base);
  return pointer === undefined ? undefined : { pointer, message: `nests deeper than ${maxDepth} levels` };
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
