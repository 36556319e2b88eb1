import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>NP Platform API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body>
</html>`;

const INIT_SCRIPT = "window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#ui' });";

/** `/docs/openapi.json` and a Swagger UI at `/docs`, served from the `swagger-ui-dist` package. */
export async function registerDocsRoutes(app: FastifyInstance, document: Record<string, unknown>): Promise<void> {
  await app.register(fastifyStatic, { root: SWAGGER_UI_DIR, prefix: '/docs/assets/', decorateReply: false });
  app.get('/docs/openapi.json', (_request, reply) => reply.send(document));
  app.get('/docs', (_request, reply) => reply.type('text/html; charset=utf-8').send(DOCS_PAGE));
  app.get('/docs/init.js', (_request, reply) => reply.type('application/javascript').send(INIT_SCRIPT));
}
