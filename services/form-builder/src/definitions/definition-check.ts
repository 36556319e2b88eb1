import { metaAjv } from './ajv-instance.js';
import { CompiledForm } from './compiled-form.js';
import { checkDefinitionLimits } from './definition-limits.js';
import type { Problem } from './problems.js';
import { checkSchemaKeywords } from './schema-keywords.js';
import { readUiSchema } from './ui-schema.js';

type Json = Record<string, unknown>;

/**
 * Everything wrong with a definition, each at its pointer in the request: size and depth first
 * (so nothing walks a hostile document), then unknown keywords, remote references and patterns,
 * the UI schema's shape and rules, ajv's meta-schema, and last a real compilation.
 */
export function checkDefinition(parts: { dataSchema: Json; uiSchema: Json | null | undefined }): Problem[] {
  const limits = checkDefinitionLimits(parts);
  if (limits.length > 0) return limits;
  const problems: Problem[] = [];
  if (parts.dataSchema.type !== 'object') problems.push({ pointer: '/dataSchema/type', message: 'a form\'s data schema describes an object: type must be "object"' });
  problems.push(...checkSchemaKeywords(parts.dataSchema, ['dataSchema']));
  problems.push(...readUiSchema(parts.uiSchema, ['uiSchema']).problems);
  if (problems.length > 0) return problems;
  const ajv = metaAjv();
  if (!ajv.validateSchema(parts.dataSchema)) {
    return (ajv.errors ?? []).map((error) => ({ pointer: `/dataSchema${error.instancePath}`, message: error.message ?? `fails ${error.keyword}` }));
  }
  try {
    new CompiledForm(parts.dataSchema, parts.uiSchema ?? null);
  } catch (error) {
    return [{ pointer: '/dataSchema', message: (error as Error).message }];
  }
  return [];
}
