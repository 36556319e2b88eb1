import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { corsOptions } from './security-headers.js';

const settings = { NP_CORS_ORIGINS: ['https://app.example.com'], NP_CORS_CREDENTIALS: false };

describe('corsOptions', () => {
  it('allows every method a declared route uses, HEAD with GET, in a fixed order', () => {
    const options = corsOptions(settings, { routes: [{ method: 'DELETE' }, { method: 'PUT' }, { method: 'GET' }, { method: 'PUT' }], streams: [{ methods: ['POST', 'OPTIONS'] }] });
    expect(options.methods).toEqual(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']);
  });

  it('adds the headers stream routes declare (tus, ranges) to the API\'s own, once each', () => {
    const tus = { request: ['tus-resumable', 'upload-offset'], response: ['location', 'upload-offset'] };
    const options = corsOptions(settings, { routes: [], streams: [{ methods: ['PATCH'], headers: tus }, { methods: ['HEAD'], headers: tus }, { methods: ['GET'] }] });
    expect(options.allowedHeaders).toEqual(['authorization', 'content-type', 'x-request-id', 'tus-resumable', 'upload-offset']);
    expect(options.exposedHeaders).toEqual(['x-request-id', 'retry-after', 'etag', 'location', 'upload-offset']);
  });

  it('adds the request headers a JSON route reads (If-Match of a versioned write)', () => {
    const options = corsOptions(settings, { routes: [{ method: 'PUT', headers: z.object({ 'if-match': z.string() }) }], streams: [] });
    expect(options.allowedHeaders).toEqual(['authorization', 'content-type', 'x-request-id', 'if-match']);
  });
});
