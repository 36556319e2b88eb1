/**
 * What a server (or the network on its way) said, as one line: the error's own message, or for
 * Node's wrappers (`fetch failed`, an AggregateError from trying every address of a host) the
 * messages of the errors inside, which are the ones that name the cause. Errors are recognised
 * by shape, not `instanceof`: undici's and the socket's errors may come from another realm.
 */
export function serverMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, cause, errors, name } = error as { message?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return [...new Set(errors.map(serverMessage))].join('; ');
  const text = typeof message === 'string' ? message : '';
  if (cause !== undefined && (text === '' || text === 'fetch failed')) return serverMessage(cause);
  if (text !== '') return text;
  return typeof name === 'string' && name !== '' ? name : 'unknown error';
}
