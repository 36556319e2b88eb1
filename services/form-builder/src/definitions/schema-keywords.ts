import { RE2JS } from 're2js';
import { type Problem, pointerOf } from './problems.js';

/** The dialect every data schema is read as; a `$schema` naming another is refused. */
export const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** The platform's own annotations of a file field (`format: uuid` holding a file id). */
export const FILE_KEYWORDS = ['x-np-file', 'x-np-max-bytes', 'x-np-content-types'] as const;

/** Keywords whose value is one subschema. */
const SCHEMA_VALUED = new Set(['not', 'if', 'then', 'else', 'items', 'contains', 'additionalProperties', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties', 'contentSchema']);
/** Keywords whose value is an array of subschemas. */
const SCHEMA_ARRAYS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Keywords whose value maps names to subschemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
/** Every other keyword of JSON Schema 2020-12 (core, validation, format, content, meta-data). */
const PLAIN = new Set([
  '$schema', '$id', '$ref', '$anchor', '$dynamicRef', '$dynamicAnchor', '$comment', '$vocabulary',
  'type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxContains', 'minContains',
  'maxProperties', 'minProperties', 'required', 'dependentRequired', 'format', 'contentEncoding', 'contentMediaType',
  'title', 'description', 'default', 'deprecated', 'readOnly', 'writeOnly', 'examples',
  ...FILE_KEYWORDS,
]);

/** Whether a pattern compiles in the linear-time engine validation uses (no backreferences, no lookaround). */
function patternProblem(pattern: unknown, path: readonly (string | number)[]): Problem | undefined {
  if (typeof pattern !== 'string') return { pointer: pointerOf(path), message: 'must be a string' };
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return { pointer: pointerOf(path), message: `not a pattern this platform runs (linear-time syntax, no backreferences or lookaround): ${(error as Error).message}` };
  }
}

function refProblem(keyword: string, value: unknown, path: readonly (string | number)[]): Problem | undefined {
  if (typeof value !== 'string') return { pointer: pointerOf(path), message: 'must be a string' };
  // Only references inside the definition: a remote document is never fetched.
  if (!value.startsWith('#')) return { pointer: pointerOf(path), message: `${keyword} must point inside the definition (start with #); remote references are refused` };
  return undefined;
}

/**
 * Walks a JSON Schema (2020-12) and reports, each at its pointer, unknown keywords, references
 * that leave the document, another dialect, and patterns the linear-time engine cannot run.
 * Recursive: call it only once the depth is known to be bounded (definition-limits).
 */
export function checkSchemaKeywords(schema: unknown, base: readonly (string | number)[]): Problem[] {
  const problems: Problem[] = [];
  const visit = (node: unknown, path: readonly (string | number)[]): void => {
    if (typeof node === 'boolean') return;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      problems.push({ pointer: pointerOf(path), message: 'must be a schema (an object or a boolean)' });
      return;
    }
    for (const [keyword, value] of Object.entries(node)) {
      const at = [...path, keyword];
      if (SCHEMA_VALUED.has(keyword)) visit(value, at);
      else if (SCHEMA_ARRAYS.has(keyword)) {
        if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...at, index]));
        else problems.push({ pointer: pointerOf(at), message: 'must be an array of schemas' });
      } else if (SCHEMA_MAPS.has(keyword)) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push({ pointer: pointerOf(at), message: 'must be an object of schemas' });
        else {
          for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
            if (keyword === 'patternProperties') {
              const problem = patternProblem(name, [...at, name]);
              if (problem) problems.push(problem);
            }
            visit(child, [...at, name]);
          }
        }
      } else if (!PLAIN.has(keyword)) {
        problems.push({ pointer: pointerOf(at), message: `unknown keyword ${JSON.stringify(keyword)}` });
      } else if (keyword === '$ref' || keyword === '$dynamicRef') {
        const problem = refProblem(keyword, value, at);
        if (problem) problems.push(problem);
      } else if (keyword === '$schema' && value !== DIALECT && value !== `${DIALECT}#`) {
        problems.push({ pointer: pointerOf(at), message: `only JSON Schema 2020-12 (${DIALECT}) is read` });
      } else if (keyword === '$id' && (typeof value !== 'string' || /^[a-z][a-z0-9+.-]*:/i.test(value))) {
        // An absolute $id would make relative references resolve against another document.
        problems.push({ pointer: pointerOf(at), message: '$id must not be an absolute URI' });
      } else if (keyword === 'pattern') {
        const problem = patternProblem(value, at);
        if (problem) problems.push(problem);
      }
    }
  };
  visit(schema, base);
  return problems;
}
