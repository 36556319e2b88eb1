import { S3ServiceException } from '@aws-sdk/client-s3';
import { ServerUnavailableError } from '../provisioner.js';
import { serverMessage } from '../server-message.js';

/** An error answer of the server: its S3 error code (`AccessDenied`, `NoSuchBucket`...) and message. */
export class S3ErrorAnswer extends Error {
  override readonly name = 'S3ErrorAnswer';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The S3 error code of what a call threw, when the server answered with one. */
export function s3ErrorCode(error: unknown): string | undefined {
  if (error instanceof S3ErrorAnswer) return error.code;
  if (error instanceof S3ServiceException) return error.name;
  return undefined;
}

/**
 * What the provisioner throws when a call fails in a way it does not handle: the server could not
 * be reached, or it answered with an error. The message names the server and carries its words.
 */
export function unavailable(serverUrl: string, action: string, error: unknown): ServerUnavailableError {
  if (error instanceof ServerUnavailableError) return error;
  const detail = describe(error);
  return new ServerUnavailableError('objectStore', `object store at ${serverUrl} (${action}): ${detail}`, { cause: error });
}

function describe(error: unknown): string {
  if (error instanceof S3ErrorAnswer) return `${error.code} (${error.status}): ${error.message}`;
  if (error instanceof S3ServiceException) return `${error.name} (${error.$metadata.httpStatusCode ?? '?'}): ${error.message}`;
  return serverMessage(error);
}
