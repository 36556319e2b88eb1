import { type ErrorCode, errorBodySchema, httpStatusOf, isPublicPolicy, messageContract, moduleOf, type RouteDeclaration, type RoutePolicy, type StreamRouteDeclaration } from '@np/contracts';
import { OPTIONAL_MODULE_NAMES } from '@np/modules';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/**
 * Builds the OpenAPI 3.1 document from the same route declarations the gateway serves: the
 * request schemas it validates with, the pattern's reply schema as the response, the policy as
 * the security requirement, and the errors each step can answer.
 */
export function buildOpenApiDocument(routes: readonly RouteDeclaration[], info: { title: string; version: string }, streams: readonly StreamRouteDeclaration[] = []): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const declared of routes) {
    const path = openApiPath(declared.path);
    paths[path] = { ...paths[path], [declared.method.toLowerCase()]: operationObject(declared) };
  }
  for (const declared of streams) {
    const path = openApiPath(declared.path);
    for (const method of declared.methods) paths[path] = { ...paths[path], [method.toLowerCase()]: streamOperationObject(declared, method) };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: toJsonSchema(errorBodySchema, 'output') },
    },
  };
}

/** `/v1/users/:id` → `/v1/users/{id}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operationObject(declared: RouteDeclaration): Record<string, unknown> {
  const status = String(declared.status);
  const responses: Record<string, unknown> = {
    [status]:
      declared.status === 204
        ? { description: 'Success' }
        : { description: 'Success', content: { 'application/json': { schema: toJsonSchema(replySchemaOf(declared), 'output') } } },
  };
  Object.assign(responses, errorResponses(errorsOf(declared)));
  return {
    operationId: declared.pattern,
    tags: [moduleOf(declared.pattern)],
    summary: declared.summary,
    ...(isPublicPolicy(declared.policy) ? {} : { security: [{ bearer: [] }] }),
    parameters: [...parametersOf(declared.params, 'path'), ...parametersOf(declared.query, 'query')],
    ...(declared.body ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(declared.body, 'input') } } } } : {}),
    responses,
  };
}

/** A stream route: its bytes in and out as declared, the same errors as any route of its module. */
function streamOperationObject(declared: StreamRouteDeclaration, method: string): Record<string, unknown> {
  const { response } = declared;
  const success = response.schema
    ? { description: response.description, content: { 'application/json': { schema: toJsonSchema(response.schema, 'output') } } }
    : response.contentType
      ? { description: response.description, content: { [response.contentType]: { schema: { type: 'string', format: 'binary' } } } }
      : { description: response.description };
  return {
    operationId: `${declared.module}.stream.${method.toLowerCase()}.${declared.path.replace(/[^A-Za-z0-9]+/g, '.').replace(/^\.|\.$/g, '')}`,
    tags: [declared.module],
    summary: declared.summary,
    ...(isPublicPolicy(declared.policy) ? {} : { security: [{ bearer: [] }] }),
    parameters: [...parametersOf(declared.params, 'path'), ...parametersOf(declared.query, 'query')],
    ...(declared.requestBody && method !== 'HEAD' && method !== 'DELETE'
      ? { requestBody: { required: true, content: { [declared.requestBody.contentType]: { schema: { type: 'string', format: 'binary', description: declared.requestBody.description } } } } }
      : {}),
    responses: { [String(response.status)]: success, ...errorResponses(pipelineErrors(declared.policy, declared.module, declared.errors)) },
  };
}

/** The reply schema of the route's pattern (routes are registered with their module's contracts). */
function replySchemaOf(declared: RouteDeclaration): z.ZodType {
  const contract = messageContract(declared.pattern);
  if (!contract) throw new Error(`${declared.method} ${declared.path} sends ${declared.pattern}, which no registered module answers.`);
  return contract.reply;
}

function errorResponses(errors: readonly ErrorCode[]): Record<string, unknown> {
  const codesByStatus = new Map<string, ErrorCode[]>();
  for (const code of new Set(errors)) {
    const key = String(httpStatusOf(code));
    codesByStatus.set(key, [...(codesByStatus.get(key) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [key, codes] of codesByStatus) {
    responses[key] = { description: codes.join(' or '), content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return responses;
}

/** What every step of the pipeline may answer for this route, then the route's own errors. */
function errorsOf(declared: RouteDeclaration): ErrorCode[] {
  return pipelineErrors(declared.policy, moduleOf(declared.pattern), declared.errors);
}

function pipelineErrors(policy: RoutePolicy, module: string, own: readonly ErrorCode[]): ErrorCode[] {
  const gated = (OPTIONAL_MODULE_NAMES as readonly string[]).includes(module);
  return [
    'validation_failed',
    ...(isPublicPolicy(policy) ? [] : (['token_missing'] as const)),
    ...(!isPublicPolicy(policy) && (policy.permission !== undefined || policy.roles !== undefined) ? (['forbidden'] as const) : []),
    ...(gated ? (['module_not_enabled'] as const) : []),
    ...own,
  ];
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = toJsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
}
