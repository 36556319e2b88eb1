import { hasPermission } from '@np/auth';
import { AppError, type Principal } from '@np/contracts';
import type { FileRecord } from './file-record.js';

/**
 * Who reaches which file: `files:read` (managers, admins) every file of the tenant, anyone else
 * their own and the public ones; `files:write` changes or deletes any file, anyone else their own.
 * A file the caller may not see does not exist for them (404, never 403); one they see but may not
 * change (another's public file) is 403.
 */
export function mayReadAll(principal: Principal): boolean {
  return hasPermission(principal, 'files:read');
}

export function assertVisible(record: FileRecord | null, principal: Principal, id: string): FileRecord {
  if (record && (record.ownerId === principal.sub || record.public || mayReadAll(principal))) return record;
  throw new AppError('not_found', `No file ${id}.`);
}

export function assertChangeable(record: FileRecord, principal: Principal, action: 'change' | 'delete'): void {
  if (record.ownerId !== principal.sub && !hasPermission(principal, 'files:write')) {
    throw new AppError('forbidden', `Only its owner or a holder of files:write may ${action} this file.`);
  }
}

export function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw new AppError('token_missing', 'This needs a signed-in caller.');
  return principal;
}
