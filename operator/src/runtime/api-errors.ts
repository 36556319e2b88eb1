import { ApiException } from '@kubernetes/client-node';

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** 409: the object exists already (a create), or changed since it was read (a precondition). */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

/**
 * The API server's own message (from its Status body) for an error, e.g. "exceeded quota: ...",
 * so status conditions and logs say what the server said rather than "HTTP 422".
 */
export function apiErrorMessage(error: unknown): string {
  if (error instanceof ApiException && typeof error.body === 'string') {
    try {
      const status = JSON.parse(error.body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      return error.body.slice(0, 300);
    }
  }
  return error instanceof Error ? error.message : String(error);
}
