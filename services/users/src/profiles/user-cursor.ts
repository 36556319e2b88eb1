import { AppError } from '@np/contracts';
import { z } from 'zod';

/** Where a page ends in the (created_at, id) order. */
export interface UserCursor {
  createdAt: Date;
  id: string;
}

const cursorSchema = z.strictObject({ createdAt: z.iso.datetime(), id: z.uuid() });

/** Opaque to clients: base64url of the position's JSON. */
export function encodeCursor(cursor: UserCursor): string {
  return Buffer.from(JSON.stringify({ createdAt: cursor.createdAt.toISOString(), id: cursor.id })).toString('base64url');
}

export function decodeCursor(value: string): UserCursor {
  const parsed = cursorSchema.safeParse(parseJson(Buffer.from(value, 'base64url').toString('utf8')));
  if (!parsed.success) {
    throw new AppError('validation_failed', 'The cursor is invalid.', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
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
