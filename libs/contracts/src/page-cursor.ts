import { z } from 'zod';
import { AppError } from './app-error.js';

/**
 * Where a page of a list ends in the (createdAt, id) order, newest first: the keyset every
 * module's list routes page by. Clients get it as an opaque base64url token (`nextCursor`) and
 * send it back as `?cursor=`; one they did not get from the API is 400 `validation_failed`.
 */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

const cursorSchema = z.strictObject({ createdAt: z.iso.datetime(), id: z.uuid() });

export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ createdAt: cursor.createdAt.toISOString(), id: cursor.id })).toString('base64url');
}

export function decodePageCursor(value: string): PageCursor {
  const parsed = cursorSchema.safeParse(parseJson(Buffer.from(value, 'base64url').toString('utf8')));
  if (!parsed.success) {
    throw new AppError('validation_failed', 'The cursor is not one this API gave.', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  }
  return { createdAt: new Date(parsed.data.createdAt), id: parsed.data.id };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
