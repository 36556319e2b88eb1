import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type Readable, pipeline } from 'node:stream';
import { AppError, isErrorCode } from '@np/contracts';
import { currentRequestId } from '@np/observability';

/**
 * Streams `body` into the files module's data listener under an upload grant it signed
 * (`files.upload-grants.create`): the bytes never travel over the bus and are never held whole.
 * Resolves with the stored file's id; a refusal keeps the files module's error code.
 */
export function uploadToFiles(filesUrl: string, path: string, body: Readable, contentType: string): Promise<string> {
  const url = new URL(path, filesUrl.endsWith('/') ? filesUrl : `${filesUrl}/`);
  const send = url.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: 'PUT', headers: { 'content-type': contentType, 'x-request-id': currentRequestId() ?? '' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const answer = parse(text);
        if (response.statusCode === 201 && typeof answer?.id === 'string') return resolve(answer.id);
        const code = isErrorCode(answer?.code) ? answer.code : 'storage_unavailable';
        reject(new AppError(code, `The files module refused the export (${String(response.statusCode)}): ${typeof answer?.message === 'string' ? answer.message : text.slice(0, 200)}`));
      });
    });
    outgoing.on('error', reject);
    pipeline(body, outgoing, (error) => {
      if (error) reject(error);
    });
  });
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
