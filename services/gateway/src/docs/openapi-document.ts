import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { errorBodySchema, httpStatusOf } from '@np/contracts';
import { z } from 'zod';
import { OPERATION, type OperationSpec } from './operation.decorator.js';

type JsonSchema = Record<string, unknown>;

interface Route {
  method: string;
  path: string;
  spec: OperationSpec;
}

/** Builds the OpenAPI 3.1 document from the controllers' `@Operation` metadata and contract schemas. */
export function buildOpenApiDocument(controllers: readonly Type[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of controllers.flatMap(routesOf)) {
    paths[route.path] = { ...paths[route.path], [route.method]: operationObject(route) };
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

function routesOf(controller: Type): Route[] {
  const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  const prototype = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype).flatMap((name) => {
    const handler = prototype[name];
    if (typeof handler !== 'function') return [];
    const spec = Reflect.getMetadata(OPERATION, handler) as OperationSpec | undefined;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (!spec || method === undefined) return [];
    const path = joinPath(base, String(Reflect.getMetadata(PATH_METADATA, handler) ?? ''));
    return [{ method: RequestMethod[method].toLowerCase(), path, spec }];
  });
}

function joinPath(base: string, path: string): string {
  const joined = `/${[base, path].filter((part) => part !== '' && part !== '/').join('/')}`;
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operationObject({ spec }: Route): Record<string, unknown> {
  const status = String(spec.status ?? 200);
  const responses: Record<string, unknown> = {
    [status]: spec.response
      ? { description: 'Success', content: { 'application/json': { schema: toJsonSchema(spec.response, 'output') } } }
      : { description: 'Success' },
  };
  for (const code of ['validation_failed', 'token_missing', ...(spec.errors ?? [])] as const) {
    responses[String(httpStatusOf(code))] ??= { description: code, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    tags: [spec.tag],
    summary: spec.summary,
    parameters: [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')],
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(spec.body, 'input') } } } } : {}),
    responses,
  };
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
