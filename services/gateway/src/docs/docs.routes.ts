import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DOCS_CONTENT_SECURITY_POLICY } from '../http/security-headers.js';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>NP Platform API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body>
</html>`;

// No validator badge: it would load an image from validator.swagger.io, which the page's policy refuses.
const INIT_SCRIPT = "window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#ui', validatorUrl: null });";

/** swagger-ui-dist ships flat: an asset is one plain file name, anything else is no asset. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isAssetName(request: FastifyRequest): boolean {
  const name = (request.params as { '*'?: unknown })['*'];
  return typeof name === 'string' && ASSET_NAME.test(name) && !name.includes('..');
}

/** `/docs/openapi.json` and a Swagger UI at `/docs`, served from the `swagger-ui-dist` package. */
export async function registerDocsRoutes(app: FastifyInstance, document: Record<string, unknown>): Promise<void> {
  // Paths that are not a plain file name (`//x`, `../`, encoded separators) are answered 404
  // before the file system is asked.
  await app.register(fastifyStatic, { root: SWAGGER_UI_DIR, prefix: '/docs/assets/', decorateReply: false, allowedPath: (_path, _root, request) => isAssetName(request) });
  app.get('/docs/openapi.json', (_request, reply) => reply.send(document));
  app.get('/docs', (_request, reply) =>
    reply.header('content-security-policy', DOCS_CONTENT_SECURITY_POLICY).type('text/html; charset=utf-8').send(DOCS_PAGE),
  );
  app.get('/docs/init.js', (_request, reply) => reply.type('application/javascript').send(INIT_SCRIPT));
}
