import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { apiErrorMessage, isNotFound } from './api-errors.js';

describe('API errors', () => {
  it("uses the API server's Status message", () => {
    const error = new ApiException(403, 'HTTP 403', JSON.stringify({ kind: 'Status', message: 'exceeded quota: tenant-quota' }), {});
    expect(apiErrorMessage(error)).toBe('exceeded quota: tenant-quota');
  });

  it('falls back to the body, then to the error message', () => {
    expect(apiErrorMessage(new ApiException(502, 'HTTP 502', 'Bad Gateway', {}))).toBe('Bad Gateway');
    expect(apiErrorMessage(new Error('socket hang up'))).toBe('socket hang up');
    expect(apiErrorMessage('plain')).toBe('plain');
  });

  it('recognises "not found"', () => {
    expect(isNotFound(new ApiException(404, 'gone', '', {}))).toBe(true);
    expect(isNotFound(new ApiException(409, 'conflict', '', {}))).toBe(false);
    expect(isNotFound(new Error('x'))).toBe(false);
  });
});
