import { AppError } from '@np/contracts';
import { z } from 'zod';

/** Where a page ended: (createdAt, id) of its last file, newest first. Opaque to clients. */
export interface FileCursor {
  createdAt: Date;
  id: string;
}

const cursorSchema = z.object({ t: z.iso.datetime(), i: z.uuid() });

export function encodeCursor(cursor: FileCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt.toISOString(), i: cursor.id })).toString('base64url');
}

export function decodeCursor(value: string): FileCursor {
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return { createdAt: new Date(parsed.t), id: parsed.i };
  } catch {
    throw new AppError('validation_failed', 'The cursor is not one this API gave.', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  }
}
